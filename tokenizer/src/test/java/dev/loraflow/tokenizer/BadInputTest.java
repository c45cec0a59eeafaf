package dev.loraflow.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loraflow.testing.SharedData;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Files and inputs the tokenizer must reject clearly, or survive. */
class BadInputTest {

    private static TokenizerException loadFails(Path dir) {
        return assertThrows(TokenizerException.class, () -> Tokenizer.load(dir));
    }

    private static void assertMentions(TokenizerException e, String... parts) {
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), "message should mention '" + part + "': " + e.getMessage());
        }
    }

    @Test
    void unsupportedModelTypeIsNamedWithTheFile(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("tokenizer.json"), """
                {"added_tokens": [], "model": {"type": "Unigram", "vocab": [["<unk>", 0.0]]}}""");
        assertMentions(loadFails(dir), "'Unigram'", dir.resolve("tokenizer.json").toString(), "model.type");
    }

    @Test
    void malformedJsonNamesTheFile(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("tokenizer.json"), "{\"model\": {\"type\": \"BPE\", ");
        assertMentions(loadFails(dir), dir.resolve("tokenizer.json").toString(), "not valid JSON");
    }

    @Test
    void missingSectionsAndInconsistentMergesNameTheField(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("tokenizer.json"), "{\"version\": \"1.0\"}");
        assertMentions(loadFails(dir), "tokenizer.json", "no model");
        Files.writeString(dir.resolve("tokenizer.json"), """
                {"model": {"type": "BPE", "vocab": {"a": 0, "b": 1}, "merges": ["a b"]}}""");
        assertMentions(loadFails(dir), "model.merges[0]", "'ab'");
    }

    @Test
    void directoryWithoutTokenizerOrWithSentencePieceProtobuf(@TempDir Path dir) throws Exception {
        assertMentions(loadFails(dir), "no tokenizer", dir.toString());
        Files.createSymbolicLink(dir.resolve("tokenizer.model"),
                SharedData.require("tokenizers/llama2/tokenizer.model"));
        assertMentions(loadFails(dir), "SentencePiece protobuf", "tokenizer.json");
        assertMentions(loadFails(dir.resolve("absent")), "does not exist");
    }

    @Test
    void loneSurrogatesBecomeReplacementCharacters() {
        for (Tokenizer tokenizer : new Tokenizer[] {ReferenceTokenizers.llama2(), ReferenceTokenizers.llama3()}) {
            assertArrayEquals(tokenizer.encode("a\uFFFDb\uFFFD"), tokenizer.encode("a\uD800b\uDC00"));
            assertArrayEquals(tokenizer.encode("\uFFFD"), tokenizer.encode("\uDBFF"));
        }
    }

    @Test
    void idOutOfRangeNamesTheIdAndVocabSize() {
        Tokenizer tokenizer = ReferenceTokenizers.llama2();
        TokenizerException tooBig = assertThrows(TokenizerException.class, () -> tokenizer.decode(new int[] {1, 32000}));
        assertMentions(tooBig, "32000", "vocab size 32000");
        TokenizerException negative = assertThrows(TokenizerException.class,
                () -> tokenizer.streamingDecoder(false).push(-5));
        assertMentions(negative, "-5", "vocab size 32000");
        assertThrows(TokenizerException.class, () -> tokenizer.decode(new int[] {99999}, true));
        assertThrows(TokenizerException.class, () -> tokenizer.tokenText(32000));
    }
}
