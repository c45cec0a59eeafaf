package dev.loraflow.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.OptionalInt;

/**
 * The ids put before and after the encoded text when special tokens are added (BOS, EOS), from the
 * post-processor or, when it says so, tokenizer_config.json's add_bos_token / add_eos_token.
 */
record SpecialTokenWrapping(int[] prefix, int[] suffix) {
    static final SpecialTokenWrapping NONE = new SpecialTokenWrapping(new int[0], new int[0]);

    static SpecialTokenWrapping fromPostProcessor(JsonNode node, Path file) {
        if (node == null || node.isNull()) {
            return NONE;
        }
        String type = node.path("type").asText();
        return switch (type) {
            case "ByteLevel" -> NONE; // only adjusts offsets
            case "TemplateProcessing" -> template(node, file);
            case "Sequence" -> {
                SpecialTokenWrapping all = NONE;
                for (JsonNode processor : node.path("processors")) {
                    SpecialTokenWrapping one = fromPostProcessor(processor, file);
                    all = new SpecialTokenWrapping(concat(all.prefix, one.prefix), concat(one.suffix, all.suffix));
                }
                yield all;
            }
            default -> throw new TokenizerException("unsupported post_processor type '" + type + "' in " + file
                    + " (post_processor.type); supported: TemplateProcessing, ByteLevel, Sequence");
        };
    }

    private static SpecialTokenWrapping template(JsonNode node, Path file) {
        int[] prefix = new int[0];
        int[] suffix = new int[0];
        boolean afterText = false;
        for (JsonNode item : node.path("single")) {
            if (item.has("Sequence")) {
                afterText = true;
                continue;
            }
            String name = item.path("SpecialToken").path("id").asText();
            JsonNode ids = node.path("special_tokens").path(name).path("ids");
            if (!ids.isArray() || ids.isEmpty()) {
                throw new TokenizerException(file + ": post_processor.single uses special token '" + name
                        + "' but post_processor.special_tokens gives no ids for it");
            }
            int[] tokenIds = new int[ids.size()];
            for (int i = 0; i < tokenIds.length; i++) {
                tokenIds[i] = ids.get(i).asInt();
            }
            if (afterText) {
                suffix = concat(suffix, tokenIds);
            } else {
                prefix = concat(prefix, tokenIds);
            }
        }
        return new SpecialTokenWrapping(prefix, suffix);
    }

    /** tokenizer_config.json's add_bos_token / add_eos_token, when present, rebuild the wrapping as transformers does. */
    SpecialTokenWrapping overriddenBy(TokenizerConfig config, OptionalInt bos, OptionalInt eos, Path configFile) {
        if (config.addBosToken().isEmpty() && config.addEosToken().isEmpty()) {
            return this;
        }
        int[] newPrefix = config.addBosToken().orElse(false) ? new int[] {required(bos, "bos_token", configFile)} : new int[0];
        int[] newSuffix = config.addEosToken().orElse(false) ? new int[] {required(eos, "eos_token", configFile)} : new int[0];
        return new SpecialTokenWrapping(newPrefix, newSuffix);
    }

    private static int required(OptionalInt id, String field, Path configFile) {
        return id.orElseThrow(() -> new TokenizerException(configFile + " asks to add " + field
                + " but " + field + " is missing or not in the vocabulary; set " + field + " to a token of tokenizer.json"));
    }

    private static int[] concat(int[] a, int[] b) {
        int[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
