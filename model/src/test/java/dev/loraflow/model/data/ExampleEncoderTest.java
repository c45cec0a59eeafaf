package dev.loraflow.model.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loraflow.testing.SharedData;
import dev.loraflow.tokenizer.Tokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tokenisation and masks on the stories260K SentencePiece tokenizer (BOS 1, EOS 2). */
class ExampleEncoderTest {
    private static final int EOS = 2;

    private Tokenizer tokenizer;

    @BeforeEach
    void load() {
        tokenizer = Tokenizer.load(SharedData.require("models/stories260K"));
    }

    private ExampleEncoder encoder(int maxLength) {
        return new ExampleEncoder(tokenizer::encode, tokenizer, EOS, maxLength);
    }

    @Test
    void promptResponseIsPromptThenResponseThenEosWithTheLossOnResponseAndEos() {
        Example e = encoder(512).encode(new DataRecord.PromptResponse(1, "Once upon a time", "there was a cat."));
        int[] prompt = tokenizer.encode("Once upon a time");
        int[] response = tokenizer.encode("there was a cat.", false, false);
        assertEquals(1, prompt[0], "the prompt starts with BOS");
        int[] expected = IntStream.concat(IntStream.concat(Arrays.stream(prompt), Arrays.stream(response)), IntStream.of(EOS)).toArray();
        assertArrayEquals(expected, e.ids());
        for (int i = 0; i < expected.length; i++) {
            assertEquals(i >= prompt.length, e.lossMask()[i], "position " + i);
        }
        assertEquals(response.length + 1, e.targetCount());
        assertArrayEquals(prompt, e.promptIds());
        assertFalse(e.truncated());
    }

    @Test
    void sentencePieceDummyPrefixJoinsPromptAndResponseWithOneSpace() {
        // The documented convention: with SentencePiece, encoding the response on its own reads as " " + response.
        Example e = encoder(512).encode(new DataRecord.PromptResponse(1, "Once upon a time", "there was a cat."));
        int[] joined = tokenizer.encode("Once upon a time there was a cat.");
        assertArrayEquals(joined, Arrays.copyOf(e.ids(), e.ids().length - 1));
    }

    @Test
    void textCountsEveryTokenAfterBosAndEos() {
        Example e = encoder(512).encode(new DataRecord.PlainText(4, "The cat sat."));
        int[] text = tokenizer.encode("The cat sat.");
        assertArrayEquals(text, Arrays.copyOf(e.ids(), text.length));
        assertEquals(EOS, e.ids()[e.ids().length - 1]);
        assertFalse(e.lossMask()[0]);
        assertEquals(e.ids().length - 1, e.targetCount());
    }

    @Test
    void longExamplesAreCutAndReported(@TempDir Path tmp) throws Exception {
        Path file = tmp.resolve("d.jsonl");
        Files.writeString(file, "{\"prompt\": \"Once\", \"response\": \"upon a time there was a very long story\"}\n"
                + "{\"prompt\": \"Hi\", \"response\": \"yes\"}\n");
        Dataset d = Dataset.load(file, encoder(6));
        assertEquals(6, d.examples().get(0).ids().length);
        assertTrue(d.examples().get(0).truncated());
        assertEquals(List.of(1), d.truncatedLines());
        Example cutInPrompt = encoder(2).encode(new DataRecord.PromptResponse(1, "Once upon a time", "x"));
        assertEquals(0, cutInPrompt.targetCount(), "a prompt longer than the limit leaves nothing to score");
    }

    @Test
    void batchesCoverEveryExampleOnce(@TempDir Path tmp) throws Exception {
        Path file = tmp.resolve("d.jsonl");
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < 7; i++) {
            lines.append("{\"text\": \"story ").append(i).append("\"}\n");
        }
        Files.writeString(file, lines);
        Dataset d = Dataset.load(file, encoder(64));
        List<List<Example>> batches = d.batches(3, new Random(1));
        assertEquals(List.of(3, 3, 1), batches.stream().map(List::size).toList());
        assertEquals(IntStream.rangeClosed(1, 7).boxed().toList(),
                batches.stream().flatMap(List::stream).map(e -> e.source().line()).sorted().toList());
    }
}
