package dev.loraflow.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hand-written tokenizer.json files for the forms the shared tokenizers do not use (the newer
 * Metaspace pre-tokenizer, GPT-2's ByteLevel with its built-in regex); the expected ids are worked
 * out by hand from HF's rules.
 */
class SmallTokenizerFilesTest {

    private static Tokenizer load(Path dir, String json) throws Exception {
        Files.writeString(dir.resolve("tokenizer.json"), json);
        return Tokenizer.load(dir);
    }

    @Test
    void metaspaceWithPrependSchemeFirstAndSplit(@TempDir Path dir) throws Exception {
        Tokenizer tokenizer = load(dir, """
                {"added_tokens": [{"id": 7, "content": "<x>", "special": true, "lstrip": false, "rstrip": false}],
                 "normalizer": null,
                 "pre_tokenizer": {"type": "Metaspace", "replacement": "▁", "prepend_scheme": "first", "split": true},
                 "post_processor": null,
                 "decoder": {"type": "Metaspace", "replacement": "▁", "prepend_scheme": "first", "split": true},
                 "model": {"type": "BPE", "unk_token": "<unk>", "byte_fallback": false, "fuse_unk": true,
                           "vocab": {"<unk>": 0, "▁": 1, "a": 2, "b": 3, "▁a": 4, "▁b": 5, "ab": 6},
                           "merges": [["▁", "a"], ["▁", "b"], ["a", "b"]]}}""");
        // "a b" -> "▁a▁b", split before each ▁ -> words ▁a, ▁b.
        assertArrayEquals(new int[] {4, 5}, tokenizer.encode("a b"));
        // One word ▁ab: "▁ a" (rank 0) beats "a b" (rank 2), and "▁a b" is no merge.
        assertArrayEquals(new int[] {4, 3}, tokenizer.encode("ab"));
        // After a special token, prepend_scheme "first" adds no ▁, so "a b" merges (rank 2).
        assertArrayEquals(new int[] {7, 6}, tokenizer.encode("<x>ab", false, true));
        // Unknown characters become one fused unk.
        assertArrayEquals(new int[] {4, 0}, tokenizer.encode("azz"));
        assertEquals("a b", tokenizer.decode(new int[] {4, 5}));
        assertEquals("<x>ab", tokenizer.decode(new int[] {7, 6}));
    }

    @Test
    void gpt2StyleByteLevelWithItsBuiltInRegex(@TempDir Path dir) throws Exception {
        Tokenizer tokenizer = load(dir, """
                {"added_tokens": [],
                 "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": true},
                 "post_processor": {"type": "ByteLevel", "add_prefix_space": true, "trim_offsets": false, "use_regex": true},
                 "decoder": {"type": "ByteLevel", "add_prefix_space": true, "trim_offsets": true, "use_regex": true},
                 "model": {"type": "BPE", "unk_token": null, "ignore_merges": false,
                           "vocab": {"a": 0, "b": 1, "Ġ": 2, "ab": 3, "Ġab": 4, "'": 5, "s": 6, "'s": 7},
                           "merges": ["a b", "Ġ ab", "' s"]}}""");
        // GPT-2's regex: "ab", " ab" (Ġab), "'s".
        assertArrayEquals(new int[] {3, 4, 7}, tokenizer.encode("ab ab's"));
        // Two spaces: \s+(?!\S) takes the first space alone, the second goes with "ab".
        assertArrayEquals(new int[] {3, 2, 4}, tokenizer.encode("ab  ab"));
        assertEquals("ab  ab", tokenizer.decode(new int[] {3, 2, 4}));
    }
}
