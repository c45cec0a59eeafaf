package dev.loraflow.model.lora;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loraflow.kernels.ThreadPool;
import dev.loraflow.model.Fixtures;
import dev.loraflow.model.llama.InferenceSession;
import dev.loraflow.model.llama.LlamaModel;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Algebraic identities of fusion that must hold exactly (up to float rounding). */
class FusionIdentityTest {
    private ThreadPool pool;
    private LlamaModel model;
    private List<LoraAdapter> adapters;
    private AdapterStack stack;
    private int[] ids;

    @BeforeEach
    void load() {
        pool = new ThreadPool(2);
        Path base = Fixtures.dir("forward/gqa2");
        Path two = Fixtures.dir("lora/two_adapters");
        model = LlamaModel.load(base);
        adapters = List.of(
                LoraAdapter.load("lang", two.resolve("a1"), model.config()),
                LoraAdapter.load("task", two.resolve("a2"), model.config()));
        stack = AdapterStack.of(adapters, model.config());
        ids = Fixtures.readIds(base.resolve("ids.txt"));
    }

    @AfterEach
    void close() {
        model.close();
        pool.close();
    }

    private float[] logits(FusionPolicy policy) {
        return new InferenceSession(model, ids.length, pool, new Fusion(stack, policy)).forwardAll(ids);
    }

    @Test
    void gateWithZeroMatrixEqualsStaticWeights() {
        int layers = model.config().numLayers();
        int d = model.config().hiddenSize();
        // softmax(0) = [1/2, 1/2], so b = c - 1/2 gives weights c for every token
        float[][] b = {{0.3f - 0.5f, 0.9f - 0.5f}, {-0.4f - 0.5f, 1.2f - 0.5f}};
        LoraFlowGate gate = new LoraFlowGate(List.of("lang", "task"), d, 1f, new float[layers][2 * d], b);
        float[] viaGate = logits(gate);
        float[] viaStatic = logits(StaticWeights.perLayer(new float[][] {{0.3f, 0.9f}, {-0.4f, 1.2f}}));
        assertTrue(Fixtures.maxAbsDiff(viaGate, viaStatic) < 1e-5);
    }

    @Test
    void weightsOneZeroEqualThatAdapterAlone() {
        float[] fused = logits(StaticWeights.uniform(2, 1f, 0f));
        float[] alone = Fixtures.readFloats(Fixtures.dir("lora/two_adapters/a1").resolve("logits.f32"));
        assertTrue(Fixtures.maxAbsDiff(fused, alone) < 1e-4);
        float[] base = new InferenceSession(model, ids.length, pool).forwardAll(ids);
        assertTrue(Fixtures.maxAbsDiff(logits(StaticWeights.uniform(2, 0f, 0f)), base) < 1e-6, "zero weights = base model");
    }

    @Test
    void gateDecodeWithCacheEqualsFullRecompute() {
        LoraFlowGate gate = LoraFlowGate.random(List.of("lang", "task"), 2, model.config().hiddenSize(), 0.5f, 11);
        float[] full = logits(gate);
        int vocab = model.config().vocabSize();
        InferenceSession session = new InferenceSession(model, ids.length, pool, new Fusion(stack, gate));
        WeightTrace trace = new WeightTrace(2);
        session.trace(trace);
        session.forward(ids, 0, 3);
        for (int t = 3; t < ids.length; t++) {
            float[] step = session.forward(ids, t, 1);
            assertTrue(Fixtures.maxAbsDiff(Arrays.copyOfRange(full, t * vocab, (t + 1) * vocab), step) < 1e-5,
                    "cached decode differs at position " + t);
        }
        assertEquals(ids.length, trace.size());
        // the gate really varies per token (otherwise this test would not test per-token fusion)
        assertTrue(Math.abs(trace.token(1)[0][0] - trace.token(5)[0][0]) > 1e-3);
    }

    /**
     * A prompt long enough for the fused prompt kernels ({@code MatMul.fusesPrompt}): Q, K and V in one product with
     * each projection's adapters added after it, the MLP fused when no adapter touches it. Its logits equal the same
     * tokens decoded one at a time, where every projection runs alone, with and without a per-token gate.
     */
    @Test
    void longPromptEqualsTokenByTokenWithAndWithoutAdapters() {
        int[] prompt = new java.util.SplittableRandom(5).ints(40, 0, model.config().vocabSize()).toArray();
        LoraFlowGate gate = LoraFlowGate.random(List.of("lang", "task"), 2, model.config().hiddenSize(), 0.5f, 13);
        for (Fusion fusion : new Fusion[] {null, new Fusion(stack, gate)}) {
            InferenceSession batched = fusion == null ? new InferenceSession(model, prompt.length, pool)
                    : new InferenceSession(model, prompt.length, pool, fusion);
            InferenceSession stepwise = fusion == null ? new InferenceSession(model, prompt.length, pool)
                    : new InferenceSession(model, prompt.length, pool, fusion);
            float[] all = batched.forwardAll(prompt);
            int vocab = model.config().vocabSize();
            for (int t = 0; t < prompt.length; t++) {
                float[] step = stepwise.forward(prompt, t, 1);
                double diff = Fixtures.maxAbsDiff(Arrays.copyOfRange(all, t * vocab, (t + 1) * vocab), step);
                assertTrue(diff < 1e-5, (fusion == null ? "base" : "gate") + ": prompt vs decoded at " + t + " differ by " + diff);
            }
        }
    }

    @Test
    void gateRoundTripsThroughItsFile(@TempDir Path tmp) {
        LoraFlowGate gate = LoraFlowGate.random(List.of("lang", "task"), 2, model.config().hiddenSize(), 0.5f, 3)
                .withTemperature(1.1f);
        Path file = tmp.resolve("gate.safetensors");
        gate.save(file);
        LoraFlowGate loaded = LoraFlowGate.load(file, List.of("lang", "task"), 2, model.config().hiddenSize());
        assertEquals(1.1f, loaded.temperature());
        for (int l = 0; l < 2; l++) {
            assertTrue(Arrays.equals(gate.weight(l), loaded.weight(l)) && Arrays.equals(gate.bias(l), loaded.bias(l)));
        }
        assertTrue(Fixtures.maxAbsDiff(logits(gate), logits(loaded)) == 0);
    }

    @Test
    void initialGateSelectsTheLastAdapter() {
        LoraFlowGate gate = LoraFlowGate.initial(List.of("lang", "task"), 2, model.config().hiddenSize());
        assertTrue(Fixtures.maxAbsDiff(logits(gate), logits(StaticWeights.uniform(2, 0f, 1f))) < 1e-6);
    }
}
