package dev.loraflow.cli;

import static dev.loraflow.cli.CliTest.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loraflow.model.lora.LoraFlowGate;
import dev.loraflow.testing.SharedData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --lora, --weights, --gate, --show-weights, --weights-out and merge, end to end on stories260K. */
class FusionCliTest {
    @TempDir
    Path tmp;

    private Path model;
    private Path adapter;
    private int[] reference;

    @BeforeEach
    void locate() throws Exception {
        model = SharedData.require("models/stories260K");
        adapter = SharedData.require("adapters/stories260K-max");
        reference = Arrays.stream(Files.readString(adapter.resolve("reference/greedy_ids_with_lora.txt")).trim().split("\\s+"))
                .mapToInt(Integer::parseInt).toArray();
    }

    private int[] generatedIds(String... extra) throws Exception {
        String[] base = {"generate", "--model", model.toString(), "--prompt", "Once upon a time", "--max-tokens", "59",
            "--temperature", "0", "--json"};
        String[] args = Arrays.copyOf(base, base.length + extra.length);
        System.arraycopy(extra, 0, args, base.length, extra.length);
        CliTest.Result r = run(args);
        assertEquals(0, r.exit(), r.err());
        JsonNode ids = new ObjectMapper().readTree(r.out()).get("ids");
        int[] out = new int[ids.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = ids.get(i).intValue();
        }
        return out;
    }

    private int[] expectedGenerated() {
        return Arrays.copyOfRange(reference, 5, reference.length);
    }

    @Test
    void loraFlagReproducesPeftGreedyIds() throws Exception {
        assertArrayEquals(expectedGenerated(), generatedIds("--lora", "max=" + adapter));
    }

    @Test
    void gateStartingOnTheSecondAdapterEqualsThatAdapter() throws Exception {
        Path gate = tmp.resolve("gate.safetensors");
        LoraFlowGate.initial(List.of("off", "max"), 5, 64).save(gate);
        Path weightsJson = tmp.resolve("w.json");
        assertArrayEquals(expectedGenerated(), generatedIds("--lora", "off=" + adapter, "--lora", "max=" + adapter,
                "--gate", gate.toString(), "--weights-out", weightsJson.toString()));
        JsonNode json = new ObjectMapper().readTree(weightsJson.toFile());
        assertEquals(List.of("off", "max"), List.of(json.get("adapters").get(0).asText(), json.get("adapters").get(1).asText()));
        JsonNode weights = json.get("weights");
        assertEquals(json.get("tokens").size(), weights.size());
        assertEquals(5 + 59, weights.size(), "every prompt and generated token has weights");
        assertEquals(5, weights.get(0).size(), "one row per layer");
        assertEquals(0.0, weights.get(10).get(3).get(0).asDouble(), 1e-6);
        assertEquals(1.0, weights.get(10).get(3).get(1).asDouble(), 1e-6);
    }

    @Test
    void staticWeightsHalfAndHalfOfOneAdapterEqualTheAdapter() throws Exception {
        assertArrayEquals(expectedGenerated(), generatedIds("--lora", "a=" + adapter, "--lora", "b=" + adapter,
                "--weights", "a=0.5,b=0.5"));
    }

    @Test
    void showWeightsPrintsATableRowPerToken() {
        CliTest.Result r = run("generate", "--model", model.toString(), "--prompt", "Once upon a time", "--max-tokens", "8",
                "--temperature", "0", "--lora", "a=" + adapter, "--lora", "b=" + adapter, "--weights", "a=0.25,b=0.75",
                "--show-weights");
        assertEquals(0, r.exit(), r.err());
        List<String> rows = r.out().lines().filter(l -> l.matches("\\s*\\d+\\s+'.*")).toList();
        assertEquals(5 + 8, rows.size(), r.out());
        assertTrue(rows.get(1).contains("0.250") && rows.get(1).contains("0.750") && rows.get(1).endsWith("b"), rows.get(1));
    }

    @Test
    void mergedModelGeneratesTheSameAsTheAdapter() throws Exception {
        Path merged = tmp.resolve("merged");
        CliTest.Result r = run("merge", "--model", model.toString(), "--lora", "max=" + adapter, "--out", merged.toString());
        assertEquals(0, r.exit(), r.err());
        model = merged;
        assertArrayEquals(expectedGenerated(), generatedIds());
    }

    @Test
    void badFusionFlagsExitWithOneClearLine() {
        Path gate = tmp.resolve("gate.safetensors");
        LoraFlowGate.initial(List.of("lang", "task"), 5, 64).save(gate);
        String m = model.toString();
        String[][] cases = {
            {"--gate", gate.toString()},
            {"--lora", "a=" + adapter, "--weights", "b=1"},
            {"--lora", "a=" + adapter, "--weights", "a=x"},
            {"--lora", "x=" + adapter, "--lora", "y=" + adapter, "--gate", gate.toString()},
            {"--lora", "a=" + adapter, "--lora", "a=" + adapter},
            {"--lora", "a=" + tmp.resolve("missing")},
            {"--lora", "a=" + adapter, "--weights", "a=1", "--gate", gate.toString()},
            {"--show-weights"},
        };
        String[] expected = {"--gate needs", "'b'", "'x'", "[lang, task]", "twice", "adapter_config.json", "exclude", "--lora"};
        for (int i = 0; i < cases.length; i++) {
            String[] args = new String[6 + cases[i].length];
            System.arraycopy(new String[] {"generate", "--model", m, "--prompt", "x", "--max-tokens=2"}, 0, args, 0, 6);
            System.arraycopy(cases[i], 0, args, 6, cases[i].length);
            CliTest.Result r = run(args);
            assertEquals(1, r.exit(), Arrays.toString(cases[i]) + ": " + r.err());
            assertTrue(r.err().startsWith("error: ") && r.err().contains(expected[i]), Arrays.toString(cases[i]) + ": " + r.err());
            assertEquals(1, r.err().strip().lines().count(), r.err());
        }
    }
}
