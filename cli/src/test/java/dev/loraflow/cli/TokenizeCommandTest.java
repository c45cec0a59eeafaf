package dev.loraflow.cli;

import static dev.loraflow.cli.CliTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loraflow.testing.SharedData;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class TokenizeCommandTest {
    @Test
    void tokenizeMatchesLlama2cPromptIds() throws Exception {
        Path model = SharedData.require("models/stories260K");
        // run.c's first five ids: BOS and the prompt "Once upon a time"
        String[] reference = Files.readString(model.resolve("reference/ref_ids_once_upon_n64.txt")).trim().split("\\s+");
        String expected = String.join(" ", java.util.Arrays.copyOf(reference, 5));
        CliTest.Result r = run("tokenize", "--model", model.toString(), "--text", "Once upon a time");
        assertEquals(0, r.exit(), r.err());
        assertEquals(expected, r.out().strip());
        CliTest.Result noBos = run("tokenize", "--model", model.toString(), "--text", "Once upon a time", "--no-bos");
        assertEquals(expected.substring(2), noBos.out().strip());
    }

    @Test
    void detokenizeRoundTripsAndRejectsUnknownIds() {
        Path model = SharedData.require("models/stories260K");
        CliTest.Result r = run("detokenize", "--model", model.toString(), "--ids", "1,403,407,261,378", "--skip-special");
        assertEquals(0, r.exit(), r.err());
        assertEquals("Once upon a time", r.out().strip());
        CliTest.Result bad = run("detokenize", "--model", model.toString(), "--ids", "1,5000");
        assertEquals(1, bad.exit());
        assertTrue(bad.err().startsWith("error: ") && bad.err().contains("5000"), bad.err());
    }
}
