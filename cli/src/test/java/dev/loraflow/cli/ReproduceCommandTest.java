package dev.loraflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loraflow.testing.SharedData;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReproduceCommandTest {
    @TempDir
    Path tmp;

    @Test
    void aSmokeRunPrintsAndWritesTheTableWithProgressOnStderr() throws Exception {
        Path out = tmp.resolve("run");
        CliTest.Result r = CliTest.run("reproduce", "--smoke", "--seeds", "1", "--seed", "9", "--threads", "2", "--out", out.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("| **LoRA-Flow (dynamic)** |"), r.out());
        assertTrue(r.out().contains("| Base model |"), r.out());
        assertEquals(r.out(), Files.readString(out.resolve("results.md")));
        assertTrue(r.err().contains("=== seed 9 (1 of 1) ==="), r.err());
    }

    @Test
    void aSmokeRunOnAPretrainedBaseModelNamesItInTheReport() throws Exception {
        Path stories = SharedData.require("models/stories260K");
        Path out = tmp.resolve("run");
        CliTest.Result r = CliTest.run("reproduce", "--smoke", "--seeds", "1", "--threads", "2", "--base-model",
                stories.toString(), "--out", out.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().startsWith("# LoRA-Flow's miniature experiment on stories260K"), r.out());
        assertTrue(r.out().contains("| **LoRA-Flow (dynamic)** |"), r.out());
        assertFalse(r.err().contains("pretrain"), r.err());
    }

    @Test
    void aBaseModelThatIsMissingOrNotALlamaFailsBeforeAnyWork() throws Exception {
        Path missing = tmp.resolve("no-model");
        Path out = tmp.resolve("out");
        CliTest.Result none = CliTest.run("reproduce", "--smoke", "--base-model", missing.toString(), "--out", out.toString());
        assertEquals(1, none.exit());
        assertEquals("error: --base-model " + missing + ": no such directory", none.err().strip());
        Path gpt2 = Files.createDirectories(tmp.resolve("gpt2"));
        Files.writeString(gpt2.resolve("config.json"), "{\"model_type\": \"gpt2\"}");
        CliTest.Result notLlama = CliTest.run("reproduce", "--smoke", "--base-model", gpt2.toString(), "--out", out.toString());
        assertEquals(1, notLlama.exit());
        assertTrue(notLlama.err().startsWith("error: --base-model " + gpt2 + " is not a Llama model directory"), notLlama.err());
        assertFalse(Files.exists(out), "nothing is written");
    }

    @Test
    void badFlagsEndInOneLine() throws Exception {
        Files.writeString(tmp.resolve("taken"), "x");
        CliTest.Result r = CliTest.run("reproduce", "--smoke", "--out", tmp.toString());
        assertEquals(1, r.exit());
        assertTrue(r.err().startsWith("error: ") && r.err().contains("not empty"), r.err());
        CliTest.Result none = CliTest.run("reproduce", "--smoke", "--seeds", "0", "--out", tmp.resolve("new").toString());
        assertEquals(1, none.exit());
        assertTrue(none.err().contains("--seeds must be at least 1"), none.err());
        CliTest.Result full = CliTest.run("reproduce", "--full-size", "--out", tmp.resolve("new").toString());
        assertEquals(1, full.exit());
        assertTrue(full.err().contains("--full-size applies to --base-model runs only"), full.err());
    }
}
