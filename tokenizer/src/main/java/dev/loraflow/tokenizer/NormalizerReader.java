package dev.loraflow.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Builds a {@link TextNormalizer} from tokenizer.json's {@code normalizer} section. */
final class NormalizerReader {
    private NormalizerReader() {}

    /** @param legacy false: a Prepend only applies at the start of the text, not after special tokens */
    static TextNormalizer read(JsonNode node, boolean legacy, Path file) {
        if (node == null || node.isNull()) {
            return TextNormalizer.IDENTITY;
        }
        String type = node.path("type").asText();
        return switch (type) {
            case "Sequence" -> {
                TextNormalizer all = TextNormalizer.IDENTITY;
                for (JsonNode step : node.path("normalizers")) {
                    all = all.then(read(step, legacy, file));
                }
                yield all;
            }
            case "Prepend" -> {
                String prefix = node.path("prepend").asText();
                yield (text, atTextStart) -> text.isEmpty() || (!legacy && !atTextStart) ? text : prefix + text;
            }
            case "Replace" -> replace(node, file);
            case "NFC" -> (text, atTextStart) -> Normalizer.normalize(text, Normalizer.Form.NFC);
            case "NFD" -> (text, atTextStart) -> Normalizer.normalize(text, Normalizer.Form.NFD);
            case "NFKC" -> (text, atTextStart) -> Normalizer.normalize(text, Normalizer.Form.NFKC);
            case "NFKD" -> (text, atTextStart) -> Normalizer.normalize(text, Normalizer.Form.NFKD);
            case "Lowercase" -> (text, atTextStart) -> text.toLowerCase(Locale.ROOT);
            default -> throw new TokenizerException("unsupported normalizer type '" + type + "' in " + file
                    + " (normalizer.type); supported: Sequence, Prepend, Replace, NFC, NFD, NFKC, NFKD, Lowercase");
        };
    }

    private static TextNormalizer replace(JsonNode node, Path file) {
        String content = node.path("content").asText();
        JsonNode pattern = node.path("pattern");
        if (pattern.has("String")) {
            String literal = pattern.get("String").asText();
            return (text, atTextStart) -> text.replace(literal, content);
        }
        if (pattern.has("Regex")) {
            Pattern regex = HfRegex.compile(pattern.get("Regex").asText(), file + " normalizer Replace");
            String replacement = Matcher.quoteReplacement(content);
            return (text, atTextStart) -> regex.matcher(text).replaceAll(replacement);
        }
        throw new TokenizerException(file + ": a Replace normalizer needs pattern.String or pattern.Regex");
    }
}
