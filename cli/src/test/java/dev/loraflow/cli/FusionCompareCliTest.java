package dev.loraflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loraflow.kernels.ThreadPool;
import dev.loraflow.model.llama.InferenceSession;
import dev.loraflow.model.llama.LlamaModel;
import dev.loraflow.model.lora.AdapterStack;
import dev.loraflow.model.lora.Fusion;
import dev.loraflow.model.lora.LoraAdapter;
import dev.loraflow.model.lora.StaticWeights;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** bench --compare-fusion and make-adapters end to end on the tiny random model (no speed asserted). */
class FusionCompareCliTest {
    @TempDir
    Path tmp;

    private String model;

    @BeforeEach
    void makeModel() {
        model = tmp.resolve("tiny").toString();
        CliTest.Result r = CliTest.run("make-model", "--shape", "tiny", "--dtype", "f32", "--out", model);
        assertEquals(0, r.exit(), r.err());
    }

    private static CliTest.Result bench(String... extra) {
        return CliTest.run(java.util.stream.Stream.concat(java.util.stream.Stream.of("bench"), java.util.stream.Stream.of(extra))
                .toArray(String[]::new));
    }

    @Test
    void compareFusionReportsEveryVariantAndTheRatios() throws Exception {
        CliTest.Result r = bench("--model", model, "--random-adapters", "2", "--adapter-rank", "4", "--compare-fusion",
                "--prompt-tokens", "8", "--rounds", "4", "--tokens-per-round", "2", "--warmup-rounds", "1", "--json");
        assertEquals(0, r.exit(), r.err());
        JsonNode json = new ObjectMapper().readTree(r.out());
        for (String v : new String[] {"base", "static", "gate", "merged"}) {
            JsonNode node = json.get("variants").get(v);
            assertTrue(node.get("decode_tok_s_median").asDouble() > 0 && node.get("prefill_tok_s").asDouble() > 0, v);
            assertEquals(4, node.get("round_tok_s").size(), v);
            assertEquals(!v.equals("base"), node.has("ratio_to_base"), v);
            assertEquals(!v.equals("base"), node.has("cpu_ratio_to_base"), v);
            assertTrue(node.get("decode_tok_per_cpu_s_median").asDouble() > 0, v);
        }
        JsonNode gate = json.get("variants").get("gate").get("ratio_to_base");
        assertTrue(gate.get("q1").asDouble() <= gate.get("median").asDouble() && gate.get("median").asDouble() <= gate.get("q3").asDouble());
        assertEquals(json.get("tokens_per_variant").asInt(), json.get("merged_static_tokens_agreeing").asInt(), r.out());
        assertEquals(10, json.get("tokens_per_variant").asInt());

        CliTest.Result table = bench("--model", model, "--random-adapters", "2", "--adapter-rank", "4", "--compare-fusion",
                "--prompt-tokens", "4", "--rounds", "1", "--tokens-per-round", "1", "--warmup-rounds", "0");
        assertEquals(0, table.exit(), table.err());
        for (String v : new String[] {"base ", "static ", "gate ", "merged "}) {
            assertTrue(table.out().contains(System.lineSeparator() + v), table.out());
        }
        assertTrue(table.out().contains("load average before"), table.out());
    }

    @Test
    void badCompareFusionFlagsAreOneLineErrors() {
        String[][] cases = {
                {"--compare-fusion needs --random-adapters", "--compare-fusion"},
                {"--rounds and --tokens-per-round must be >= 1", "--compare-fusion", "--random-adapters", "2", "--rounds", "0"},
                {"--rounds and --tokens-per-round must be >= 1", "--compare-fusion", "--random-adapters", "2", "--tokens-per-round", "-1"},
                {"drop --random-gate", "--compare-fusion", "--random-adapters", "2", "--random-gate"},
                {"drop --gen-tokens", "--compare-fusion", "--random-adapters", "2", "--gen-tokens", "4"},
                {"drop --mmap", "--compare-fusion", "--random-adapters", "2", "--mmap"},
                {"exceeds the model's max_position_embeddings", "--compare-fusion", "--random-adapters", "2", "--rounds", "100"},
                {"--rounds needs --compare-fusion", "--rounds", "3"},
        };
        for (String[] c : cases) {
            String[] args = new String[c.length + 1];
            args[0] = "--model";
            args[1] = model;
            System.arraycopy(c, 1, args, 2, c.length - 1);
            CliTest.Result r = bench(args);
            assertEquals(1, r.exit(), String.join(" ", args) + ": " + r.out());
            assertTrue(r.err().contains(c[0]), r.err());
            assertEquals(1, r.err().strip().lines().count(), r.err());
        }
    }

    @Test
    void madeAdaptersMergeIntoAModelThatMatchesFusingThem() throws Exception {
        Path adapters = tmp.resolve("adapters");
        CliTest.Result made = CliTest.run("make-adapters", "--model", model, "--out", adapters.toString(),
                "--random-adapters", "2", "--adapter-rank", "4");
        assertEquals(0, made.exit(), made.err());
        assertTrue(Files.isRegularFile(adapters.resolve("a1/adapter_model.safetensors")), made.out());
        String[] loras = {"--lora", "a0=" + adapters.resolve("a0"), "--lora", "a1=" + adapters.resolve("a1"), "--weights", "a0=0.5,a1=0.5"};
        // the same static weights bench --compare-fusion uses (1/K each)

        Path merged = tmp.resolve("merged");
        CliTest.Result m = CliTest.run(concat(new String[] {"merge", "--model", model, "--out", merged.toString()}, loras));
        assertEquals(0, m.exit(), m.err());

        float[] fused, mergedL, base;
        var config = dev.loraflow.core.config.LlamaConfig.load(Path.of(model));
        var adaptersLoaded = java.util.List.of(LoraAdapter.load("a0", adapters.resolve("a0"), config),
                LoraAdapter.load("a1", adapters.resolve("a1"), config));
        var fusion = new Fusion(AdapterStack.of(adaptersLoaded, config), StaticWeights.average(config.numLayers(), 2));
        int[] ids = {1, 5, 9};
        try (ThreadPool pool = new ThreadPool(1); LlamaModel b = LlamaModel.load(Path.of(model)); LlamaModel mm = LlamaModel.load(merged)) {
            fused = new InferenceSession(b, 3, pool, fusion).forwardAll(ids);
            base = new InferenceSession(b, 3, pool).forwardAll(ids);
            mergedL = new InferenceSession(mm, 3, pool).forwardAll(ids);
        }
        double mergedDiff = 0, adapterEffect = 0;
        for (int i = 0; i < fused.length; i++) {
            mergedDiff = Math.max(mergedDiff, Math.abs(fused[i] - mergedL[i]));
            adapterEffect = Math.max(adapterEffect, Math.abs(fused[i] - base[i]));
        }
        assertTrue(mergedDiff < 1e-4, "merged vs fused " + mergedDiff);
        assertTrue(adapterEffect > 100 * mergedDiff, "the adapters change the logits by " + adapterEffect);

        CliTest.Result again = CliTest.run("make-adapters", "--model", model, "--out", adapters.toString());
        assertEquals(1, again.exit());
        assertTrue(again.err().contains("already exists"), again.err());
        CliTest.Result bad = CliTest.run("make-adapters", "--model", model, "--out", tmp.resolve("x").toString(), "--adapter-rank", "0");
        assertEquals(1, bad.exit());
        assertTrue(bad.err().contains("--adapter-rank"), bad.err());
    }

    private static String[] concat(String[] a, String[] b) {
        String[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

}
