package dev.loraflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** bench with fused adapters and bench-train: they run and report what they measured (no timing asserted). */
class BenchAdaptersTest {
    @TempDir
    Path tmp;

    private String model;

    @BeforeEach
    void makeModel() {
        model = tmp.resolve("tiny").toString();
        CliTest.Result r = CliTest.run("make-model", "--shape", "tiny", "--out", model);
        assertEquals(0, r.exit(), r.err());
    }

    @Test
    void benchWithRandomAdaptersAndGateReportsPositiveSpeeds() throws Exception {
        CliTest.Result r = CliTest.run("bench", "--model", model, "--prompt-tokens", "8", "--gen-tokens", "4",
                "--random-adapters", "2", "--adapter-rank", "4", "--random-gate", "--json");
        assertEquals(0, r.exit(), r.err());
        JsonNode json = new ObjectMapper().readTree(r.out());
        assertTrue(json.get("decode_tok_s").asDouble() > 0 && json.get("prefill_tok_s").asDouble() > 0, r.out());
        CliTest.Result bad = CliTest.run("bench", "--model", model, "--prompt-tokens", "8", "--gen-tokens", "4", "--random-gate");
        assertEquals(1, bad.exit());
        assertTrue(bad.err().contains("--random-gate needs --random-adapters"), bad.err());
    }

    @Test
    void benchTrainReportsThroughputAndTrainableGateSize() throws Exception {
        CliTest.Result r = CliTest.run("bench-train", "--model", model, "--batch", "2", "--seq-len", "8", "--reps", "2",
                "--adapter-rank", "4", "--recompute", "--json");
        assertEquals(0, r.exit(), r.err());
        JsonNode json = new ObjectMapper().readTree(r.out());
        // tiny: 2 layers, hidden 64, two adapters → per layer W [2][64] and b [1][2]
        assertEquals(2 * (2 * 64 + 2), json.get("trainable_params").asLong());
        assertTrue(json.get("train_tok_s_best").asDouble() > 0);
        CliTest.Result bad = CliTest.run("bench-train", "--model", model, "--seq-len", "1");
        assertEquals(1, bad.exit());
        assertTrue(bad.err().contains("--seq-len"), bad.err());
    }
}
