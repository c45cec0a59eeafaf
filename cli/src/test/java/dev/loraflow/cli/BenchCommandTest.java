package dev.loraflow.cli;

import static dev.loraflow.cli.MakeModelCommandTest.assertOneLineError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchCommandTest {
    @TempDir
    static Path tmp;

    /** The tiny shape: max_position_embeddings 128. */
    static String model;

    @BeforeAll
    static void makeTinyModel() {
        model = tmp.resolve("tiny").toString();
        CliTest.Result r = CliTest.run("make-model", "--shape", "tiny", "--out", model);
        assertEquals(0, r.exit(), r.err());
    }

    @Test
    void jsonLineHasEveryFigurePositive() throws Exception {
        CliTest.Result r = CliTest.run("bench", "--model", model, "--prompt-tokens", "24", "--gen-tokens", "6",
                "--threads", "2", "--json");
        assertEquals(0, r.exit(), r.err());
        assertEquals(1, r.out().strip().lines().count(), r.out());
        JsonNode json = new ObjectMapper().readTree(r.out());
        for (String field : List.of("prefill_tok_s", "decode_tok_s", "decode_gb_s", "peak_rss_mb", "rss_after_load_mb",
                "load_ms", "weights_mb", "kv_cache_mb")) {
            assertTrue(json.path(field).isNumber() && json.get(field).doubleValue() > 0, field + " in " + r.out());
        }
        assertEquals(2, json.get("threads").intValue());
        assertEquals("bf16", json.get("dtype").textValue());
        // 2 layers × (K and V) × 30 positions × 32 kv dims × 4 bytes
        assertEquals(2 * 2 * 30 * 32 * 4 / (1024.0 * 1024.0), json.get("kv_cache_mb").doubleValue(), 1e-12);
        assertTrue(json.get("peak_rss_mb").doubleValue() >= json.get("rss_after_load_mb").doubleValue());
    }

    @Test
    void tableNamesEachFigure() {
        CliTest.Result r = CliTest.run("bench", "--model", model, "--prompt-tokens", "8", "--gen-tokens", "2");
        assertEquals(0, r.exit(), r.err());
        for (String label : List.of("load:", "prefill:", "decode:", "weights:", "kv cache:", "rss:", "threads:")) {
            assertTrue(r.out().contains(label), label + " in " + r.out());
        }
    }

    @Test
    void nonPositiveGenTokensIsOneLineNamingTheFlag() {
        assertOneLineError(CliTest.run("bench", "--model", model, "--gen-tokens", "0"), "--gen-tokens");
        assertOneLineError(CliTest.run("bench", "--model", model, "--gen-tokens", "-3"), "--gen-tokens");
    }

    @Test
    void nonPositivePromptTokensIsOneLineNamingTheFlag() {
        assertOneLineError(CliTest.run("bench", "--model", model, "--prompt-tokens", "0"), "--prompt-tokens");
    }

    @Test
    void promptLongerThanTheModelsPositionsIsOneLineNamingTheFlag() {
        CliTest.Result r = CliTest.run("bench", "--model", model, "--prompt-tokens", "129", "--gen-tokens", "1");
        assertOneLineError(r, "--prompt-tokens");
        assertTrue(r.err().contains("128"), r.err());
        assertOneLineError(CliTest.run("bench", "--model", model, "--prompt-tokens", "100", "--gen-tokens", "29"),
                "--gen-tokens");
    }

    @Test
    void missingModelDirectoryIsOneLine() {
        CliTest.Result r = CliTest.run("bench", "--model", tmp.resolve("nope").toString());
        assertEquals(1, r.exit());
        assertEquals(1, r.err().strip().lines().count(), r.err());
    }
}
