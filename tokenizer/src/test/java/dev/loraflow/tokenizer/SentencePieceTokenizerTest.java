package dev.loraflow.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loraflow.testing.SharedData;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** SentencePiece-style BPE with byte fallback against HuggingFace's ids for stories260K and Llama 2. */
class SentencePieceTokenizerTest {

    @Test
    void stories260kMatchesHuggingFaceIdsWithBos() throws Exception {
        Path model = SharedData.require("models/stories260K");
        Path refs = SharedData.require("models/stories260K/reference/tokenizer");
        Tokenizer tokenizer = Tokenizer.load(model);
        List<VocabTestCases.Case> cases = VocabTestCases.read(refs.resolve("inputs.txt"), refs.resolve("hf_tokenizer_json_ids.txt"));
        assertEquals(53, cases.size());
        for (VocabTestCases.Case c : cases) {
            assertArrayEquals(c.ids(), tokenizer.encode(c.input()), c.toString());
        }
    }

    @Test
    void llama2MatchesHuggingFaceIdsWithoutSpecialTokens() throws Exception {
        Tokenizer tokenizer = ReferenceTokenizers.llama2();
        Path tests = SharedData.require("tokenizers/tests");
        List<VocabTestCases.Case> cases = VocabTestCases.read(tests.resolve("ggml-vocab-llama-spm.gguf.inp"),
                tests.resolve("ggml-vocab-llama-spm.gguf.out"));
        assertEquals(46, cases.size());
        for (VocabTestCases.Case c : cases) {
            assertArrayEquals(c.ids(), tokenizer.encode(c.input(), false, false), c.toString());
        }
    }

    @Test
    void decodeRestoresEveryReferenceInput() throws Exception {
        // Prepend ▁ + Replace(' ' -> ▁) is undone by the decoder's Replace + Strip, so text survives intact.
        Path refs = SharedData.require("models/stories260K/reference/tokenizer");
        Path tests = SharedData.require("tokenizers/tests");
        check(ReferenceTokenizers.stories260k(),
                VocabTestCases.read(refs.resolve("inputs.txt"), refs.resolve("hf_tokenizer_json_ids.txt")));
        check(ReferenceTokenizers.llama2(),
                VocabTestCases.read(tests.resolve("ggml-vocab-llama-spm.gguf.inp"), tests.resolve("ggml-vocab-llama-spm.gguf.out")));
    }

    private static void check(Tokenizer tokenizer, List<VocabTestCases.Case> cases) {
        for (VocabTestCases.Case c : cases) {
            assertEquals(c.input(), tokenizer.decode(c.ids(), true), c.toString());
            assertEquals(c.input(), tokenizer.decode(tokenizer.encode(c.input()), true), c.toString());
        }
    }

    @Test
    void llama2SpecialTokensAndVocabulary() {
        Tokenizer tokenizer = ReferenceTokenizers.llama2();
        assertEquals(32000, tokenizer.vocabSize());
        assertEquals(OptionalInt.of(1), tokenizer.bosId());
        assertEquals(OptionalInt.of(2), tokenizer.eosId());
        assertTrue(tokenizer.isSpecial(1));
        assertFalse(tokenizer.isSpecial(13)); // <0x0A>
        assertEquals("<0x0A>", tokenizer.tokenText(13));
        assertEquals("<s>", tokenizer.tokenText(1));
        // "Hello world" is ids 15043 3186 in the reference file; keeping specials shows "<s> Hello world"
        // (HF strips one leading space of the whole text, and here the text starts with "<s>").
        assertEquals("<s> Hello world", tokenizer.decode(new int[] {1, 15043, 3186}));
        assertEquals("Hello world", tokenizer.decode(new int[] {1, 15043, 3186}, true));
    }

    @Test
    void specialTokenTextIsOnlyParsedWhenAsked() {
        Tokenizer tokenizer = ReferenceTokenizers.llama2();
        int[] parsed = tokenizer.encode("Hello</s>", false, true);
        assertEquals(2, parsed[parsed.length - 1]);
        int[] literal = tokenizer.encode("Hello</s>", false, false);
        for (int id : literal) {
            assertFalse(tokenizer.isSpecial(id), "special text must not become a special id unless asked");
        }
        // BOS comes from the TemplateProcessing post-processor / add_bos_token.
        assertEquals(1, tokenizer.encode("Hello")[0]);
    }

    @Test
    void legacyFalseAddsNoSpaceMarkerAfterASpecialToken() {
        // Llama 2's tokenizer_config.json says legacy: false, so "</s>Hello" encodes "Hello" as a
        // word start without the ▁ that the start of the text gets: ids of "Hello" alone differ from " Hello".
        Tokenizer tokenizer = ReferenceTokenizers.llama2();
        int[] afterSpecial = tokenizer.encode("</s>Hello", false, true);
        assertEquals("Hello", tokenizer.tokenText(afterSpecial[1]));
        // stories260K says legacy: true: the ▁ is added after special tokens as well.
        Tokenizer stories = ReferenceTokenizers.stories260k();
        int[] legacy = stories.encode("</s>a", false, true);
        assertEquals("▁a", stories.tokenText(legacy[1]));
    }
}
