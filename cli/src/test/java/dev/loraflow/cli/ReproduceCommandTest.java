package dev.loraflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
    void badFlagsEndInOneLine() throws Exception {
        Files.writeString(tmp.resolve("taken"), "x");
        CliTest.Result r = CliTest.run("reproduce", "--smoke", "--out", tmp.toString());
        assertEquals(1, r.exit());
        assertTrue(r.err().startsWith("error: ") && r.err().contains("not empty"), r.err());
        CliTest.Result none = CliTest.run("reproduce", "--smoke", "--seeds", "0", "--out", tmp.resolve("new").toString());
        assertEquals(1, none.exit());
        assertTrue(none.err().contains("--seeds must be at least 1"), none.err());
    }
}
