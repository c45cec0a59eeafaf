package dev.loraflow.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * What tokenizer_config.json says about encoding: whether to add BOS/EOS, which tokens they are,
 * SentencePiece's {@code legacy} flag, and the chat template.
 *
 * @param addBosToken empty when the file does not say (the post-processor decides)
 * @param legacy      true (the HF default) prepends {@code ▁} to text after a special token too;
 *                    false only at the start of the text
 */
record TokenizerConfig(Optional<Boolean> addBosToken, Optional<Boolean> addEosToken, Optional<String> bosToken,
                       Optional<String> eosToken, boolean legacy, Optional<String> chatTemplate) {

    static final String FILE_NAME = "tokenizer_config.json";

    static TokenizerConfig none() {
        return new TokenizerConfig(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), true,
                Optional.empty());
    }

    static TokenizerConfig readIfPresent(Path modelDir) {
        Path file = modelDir.resolve(FILE_NAME);
        if (!Files.exists(file)) {
            return none();
        }
        JsonNode root = JsonFiles.read(file);
        return new TokenizerConfig(
                flag(root, "add_bos_token"),
                flag(root, "add_eos_token"),
                Optional.ofNullable(JsonFiles.tokenContent(root.get("bos_token"))),
                Optional.ofNullable(JsonFiles.tokenContent(root.get("eos_token"))),
                flag(root, "legacy").orElse(true), // transformers reads a missing or null legacy as true
                chatTemplate(root.get("chat_template"), file));
    }

    private static Optional<Boolean> flag(JsonNode root, String field) {
        JsonNode node = root.get(field);
        return node == null || node.isNull() ? Optional.empty() : Optional.of(node.asBoolean());
    }

    /** A string, or a list of {@code {name, template}} of which the one named "default" is the chat template. */
    private static Optional<String> chatTemplate(JsonNode node, Path file) {
        if (node == null || node.isNull()) {
            return Optional.empty();
        }
        if (node.isTextual()) {
            return Optional.of(node.asText());
        }
        if (node.isArray()) {
            for (JsonNode named : node) {
                if ("default".equals(named.path("name").asText())) {
                    return Optional.of(named.path("template").asText());
                }
            }
            return Optional.empty();
        }
        throw new TokenizerException(file + ": chat_template must be a string or a list of {name, template}; found "
                + node.getNodeType());
    }
}
