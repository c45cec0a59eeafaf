package dev.loraflow.model.llama;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loraflow.kernels.ThreadPool;
import dev.loraflow.model.Fixtures;
import dev.loraflow.model.generate.Generator;
import dev.loraflow.model.generate.SamplingParams;
import dev.loraflow.testing.SharedData;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The engine against outputs it did not produce: llama2.c's run.c and an independent float64 PyTorch reference. */
class ReferenceLogitsTest {
    private static ThreadPool pool;

    @BeforeAll
    static void startPool() {
        pool = new ThreadPool(2);
    }

    @AfterAll
    static void stopPool() {
        pool.close();
    }

    @Test
    void stories260KMatchesLlama2cLogits() {
        Path dir = SharedData.require("models/stories260K");
        int[] ids = Fixtures.readIds(dir.resolve("reference/ref_ids_once_upon_n64.txt"));
        float[] expected = Fixtures.readFloats(dir.resolve("reference/ref_logits_once_upon_n64.f32"));
        try (LlamaModel model = LlamaModel.load(dir)) {
            float[] actual = new InferenceSession(model, ids.length, pool).forwardAll(ids);
            double diff = Fixtures.maxAbsDiff(expected, actual);
            assertTrue(diff < 1e-4, "max |logit difference| vs run.c = " + diff);
        }
    }

    @Test
    void stories260KGreedyGenerationReproducesRunC() {
        Path dir = SharedData.require("models/stories260K");
        int[] ids = Fixtures.readIds(dir.resolve("reference/ref_ids_once_upon_n64.txt"));
        int[] prompt = Arrays.copyOf(ids, 5); // BOS + the 4 tokens of "Once upon a time"
        try (LlamaModel model = LlamaModel.load(dir)) {
            InferenceSession session = new InferenceSession(model, ids.length, pool);
            // run.c generates until 64 positions and does not stop at EOS
            int[] generated = Generator.generate(session, prompt, SamplingParams.greedy(ids.length - prompt.length),
                    id -> false, id -> { });
            assertArrayEquals(Arrays.copyOfRange(ids, 5, ids.length), generated);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"mha", "gqa2", "gqa4", "head_dim", "bias", "bf16", "f16", "rope_llama3", "rope_linear"})
    void smallModelsMatchTorchReference(String name) {
        Path dir = Fixtures.dir("forward/" + name);
        int[] ids = Fixtures.readIds(dir.resolve("ids.txt"));
        float[] expected = Fixtures.readFloats(dir.resolve("logits.f32"));
        try (LlamaModel model = LlamaModel.load(dir)) {
            float[] actual = new InferenceSession(model, ids.length, pool).forwardAll(ids);
            double diff = Fixtures.maxAbsDiff(expected, actual);
            // float32 engine vs float64 reference on a 2-layer model: rounding stays well under 1e-4
            assertTrue(diff < 1e-4, name + ": max |logit difference| vs torch = " + diff);
        }
    }
}
