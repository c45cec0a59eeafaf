package dev.loraflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The demo runs from the jar's resources alone: a generation, its weights table and the committed results. */
class DemoCommandTest {
    @Test
    void printsAFusedGenerationItsWeightsAndTheResultsTable() {
        CliTest.Result r = CliTest.run("demo", "--threads", "2");
        assertEquals(0, r.exit(), r.err());
        String out = r.out();
        assertTrue(out.contains("  prompt:    ") && out.contains("  LoRA-Flow: "), out);
        assertTrue(out.matches("(?s).*  LoRA-Flow: [^\\n]*\\d[^\\n]*\\n.*"), "the generation holds a number:\n" + out);
        assertTrue(out.contains("pos  token") && out.contains("lang") && out.contains("leans on"), out);
        long weightRows = out.lines().filter(l -> l.matches("\\s+\\d+\\s+'.*'\\s+-?\\d+\\.\\d{3}\\s+-?\\d+\\.\\d{3}\\s+(lang|task)")).count();
        assertTrue(weightRows >= 10, "a weights row per token:\n" + out);
        assertTrue(out.contains("| **LoRA-Flow (dynamic)** |") && out.contains("| Base model |"), out);
    }
}
