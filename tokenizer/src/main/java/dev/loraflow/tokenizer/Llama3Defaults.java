package dev.loraflow.tokenizer;

import java.util.ArrayList;
import java.util.List;

/**
 * What a tiktoken-format tokenizer.model does not say, taken from Meta's Llama 3 tokenizer.py:
 * the split regex and the 256 special tokens that follow the base vocabulary.
 */
final class Llama3Defaults {
    static final String PATTERN = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}"
            + "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    static final String BOS = "<|begin_of_text|>";
    static final String EOS = "<|end_of_text|>";
    private static final int RESERVED_SPECIAL_TOKENS = 256;

    private Llama3Defaults() {}

    /** In id order, starting right after the base vocabulary. */
    static List<String> specialTokens() {
        List<String> specials = new ArrayList<>(List.of(BOS, EOS,
                "<|reserved_special_token_0|>", "<|reserved_special_token_1|>",
                "<|reserved_special_token_2|>", "<|reserved_special_token_3|>",
                "<|start_header_id|>", "<|end_header_id|>", "<|reserved_special_token_4|>", "<|eot_id|>"));
        for (int i = 5; i < RESERVED_SPECIAL_TOKENS - 5; i++) {
            specials.add("<|reserved_special_token_" + i + "|>");
        }
        return specials;
    }
}
