package dev.loraflow.model.lora;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loraflow.kernels.ThreadPool;
import dev.loraflow.model.Fixtures;
import dev.loraflow.model.generate.Generator;
import dev.loraflow.model.generate.SamplingParams;
import dev.loraflow.model.llama.InferenceSession;
import dev.loraflow.model.llama.LlamaModel;
import dev.loraflow.testing.SharedData;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Adapters against references the engine did not produce: PEFT's own outputs and a float64 PyTorch reference. */
class LoraReferenceTest {
    private static ThreadPool pool;

    @BeforeAll
    static void startPool() {
        pool = new ThreadPool(2);
    }

    @AfterAll
    static void stopPool() {
        pool.close();
    }

    static float[] logits(LlamaModel model, int[] ids, Fusion fusion) {
        return new InferenceSession(model, ids.length, pool, fusion).forwardAll(ids);
    }

    static Fusion fusion(LlamaModel model, List<LoraAdapter> adapters, FusionPolicy policy) {
        return new Fusion(AdapterStack.of(adapters, model.config()), policy);
    }

    @Test
    void stories260KWithPeftAdapterMatchesReference() {
        Path modelDir = SharedData.require("models/stories260K");
        Path adapterDir = SharedData.require("adapters/stories260K-max");
        int[] ids = Fixtures.readIds(adapterDir.resolve("reference/greedy_ids_with_lora.txt"));
        float[] expected = Fixtures.readFloats(adapterDir.resolve("reference/logits_with_lora.f32"));
        try (LlamaModel model = LlamaModel.load(modelDir)) {
            LoraAdapter max = LoraAdapter.load("max", adapterDir, model.config());
            Fusion fusion = fusion(model, List.of(max), StaticWeights.allOnes(model.config().numLayers(), 1));
            double diff = Fixtures.maxAbsDiff(expected, logits(model, ids, fusion));
            assertTrue(diff < 1e-4, "max |logit difference| with the adapter = " + diff);

            InferenceSession session = new InferenceSession(model, ids.length, pool, fusion);
            int[] prompt = Arrays.copyOf(ids, 5);
            int[] generated = Generator.generate(session, prompt, SamplingParams.greedy(ids.length - 5), id -> false, id -> { });
            assertArrayEquals(Arrays.copyOfRange(ids, 5, ids.length), generated);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"plain", "rslora", "patterns", "two_adapters/a1", "two_adapters/a2"})
    void scalingRulesMatchTorchReference(String name) {
        Path base = Fixtures.dir("forward/gqa2");
        Path adapterDir = Fixtures.dir("lora/" + name);
        int[] ids = Fixtures.readIds(base.resolve("ids.txt"));
        try (LlamaModel model = LlamaModel.load(base)) {
            LoraAdapter adapter = LoraAdapter.load("a", adapterDir, model.config());
            float[] actual = logits(model, ids, fusion(model, List.of(adapter), StaticWeights.allOnes(2, 1)));
            double diff = Fixtures.maxAbsDiff(Fixtures.readFloats(adapterDir.resolve("logits.f32")), actual);
            assertTrue(diff < 1e-4, name + ": max |logit difference| = " + diff);
        }
    }

    @Test
    void staticFusionIsTheWeightedSumOfAdapterOutputs() {
        Path base = Fixtures.dir("forward/gqa2");
        Path two = Fixtures.dir("lora/two_adapters");
        int[] ids = Fixtures.readIds(base.resolve("ids.txt"));
        try (LlamaModel model = LlamaModel.load(base)) {
            List<LoraAdapter> adapters = List.of(
                    LoraAdapter.load("a1", two.resolve("a1"), model.config()),
                    LoraAdapter.load("a2", two.resolve("a2"), model.config()));
            float[] actual = logits(model, ids, fusion(model, adapters, StaticWeights.uniform(2, 0.3f, 0.9f)));
            double diff = Fixtures.maxAbsDiff(Fixtures.readFloats(two.resolve("logits_w_0.3_0.9.f32")), actual);
            assertTrue(diff < 1e-4, "static 0.3/0.9 fusion: max |logit difference| = " + diff);
        }
    }
}
