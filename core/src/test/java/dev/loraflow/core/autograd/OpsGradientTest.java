package dev.loraflow.core.autograd;

import static dev.loraflow.core.autograd.FiniteDifferences.check;
import static dev.loraflow.core.autograd.FiniteDifferences.parameter;
import static dev.loraflow.core.autograd.FiniteDifferences.uniform;

import dev.loraflow.core.DType;
import dev.loraflow.core.Tensor;
import dev.loraflow.kernels.ThreadPool;
import dev.loraflow.kernels.grad.AttentionGrad;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every differentiable op's tape gradients against central differences (see {@link FiniteDifferences} for the
 * tolerance). Each loss is a random linear functional of the op's output ({@link Ops#dot}), so every output
 * element's gradient path is exercised; sizes avoid multiples of the vector lengths.
 */
class OpsGradientTest {
    private static final ThreadPool POOL = new ThreadPool(2);

    @AfterAll
    static void close() {
        POOL.close();
    }

    private static Variable probe(Ops ops, Variable y, long seed) {
        return ops.dot(y, uniform(seed, y.data().length, 1f));
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "BF16"})
    void linearThroughFrozenWeight(DType dtype) {
        Parameter x = parameter("x", 1, 3, 19);
        Tensor w = FiniteDifferences.tensor("w", dtype, uniform(2, 7 * 19, 1f), 7, 19);
        check("linear " + dtype, POOL, ops -> probe(ops, ops.linear(x, w), 3), x);
    }

    @Test
    void linearWithTrainableWeightAndAdd() {
        Parameter x = parameter("x", 1, 4, 9), w = parameter("w", 2, 9, 9);
        // x feeds both operands of add: its gradient must accumulate from both paths.
        check("linear+add", POOL, ops -> probe(ops, ops.add(x, ops.linear(x, w)), 3), x, w);
    }

    @Test
    void rmsNorm() {
        Parameter x = parameter("x", 1, 3, 13);
        float[] weight = uniform(2, 13, 1f);
        check("rmsNorm", POOL, ops -> probe(ops, ops.rmsNorm(x, weight, 1e-5f), 3), x);
    }

    @Test
    void rmsNormWithTrainableWeight() {
        Parameter x = parameter("x", 1, 3, 13), weight = parameter("w", 2, 1, 13);
        check("rmsNorm(trainable)", POOL, ops -> probe(ops, ops.rmsNorm(x, weight, 1e-5f), 3), x, weight);
    }

    @Test
    void dropoutWithAFixedMask() {
        Parameter x = parameter("x", 1, 4, 9);
        // the mask depends on the seed only, so every finite-difference evaluation sees the same one
        check("dropout", POOL, ops -> probe(ops, ops.dropout(x, 0.3f, 77L), 3), x);
    }

    @Test
    void loraLinearWithSeparateAdapterInput() {
        int n = 3, in = 9, out = 7;
        int[] ranks = {2, 3};
        Parameter z = parameter("z", 1, n, in), a = parameter("A", 2, 5, in), b = parameter("B", 3, out, 5);
        Parameter coef = parameter("coef", 4, n, 2);
        Tensor w = FiniteDifferences.tensor("W", DType.F32, uniform(5, out * in, 1f), out, in);
        LoraStack lora = new LoraStack(a, b, ranks, new float[] {8f, 2f});
        check("loraLinear(dropout)", POOL,
                ops -> probe(ops, ops.loraLinear(z, ops.dropout(z, 0.25f, 5L), w, lora, coef), 6), z, a, b, coef);
    }

    @Test
    void rope() {
        int heads = 2, headDim = 6, seqLen = 3;
        float[][] cs = ropeTable(seqLen, headDim);
        RopeTable table = new RopeTable(cs[0], cs[1], headDim);
        Parameter x = parameter("x", 1, 2 * seqLen, heads * headDim);
        check("rope", POOL, ops -> probe(ops, ops.rope(x, heads, headDim, table, seqLen), 3), x);
    }

    @ParameterizedTest
    @CsvSource({"2, 2", "2, 1", "4, 2"})
    void attention(int heads, int kvHeads) {
        int batch = 2, seqLen = 3, headDim = 5;
        AttentionGrad.Shape shape = new AttentionGrad.Shape(batch, seqLen, heads, kvHeads, headDim, (float) (1 / Math.sqrt(headDim)));
        Parameter q = parameter("q", 1, batch * seqLen, heads * headDim);
        Parameter k = parameter("k", 2, batch * seqLen, kvHeads * headDim);
        Parameter v = parameter("v", 3, batch * seqLen, kvHeads * headDim);
        check("attention", POOL, ops -> probe(ops, ops.attention(q, k, v, shape), 4), q, k, v);
    }

    @Test
    void siluMul() {
        Parameter gate = new Parameter("gate", uniform(1, 3 * 11, 4f), 3, 11), up = parameter("up", 2, 3, 11);
        check("siluMul", POOL, ops -> probe(ops, ops.siluMul(gate, up), 3), gate, up);
    }

    @Test
    void scaleBlocks() {
        int[] ranks = {2, 3};
        float[] scales = {4f, 0.5f};
        Parameter u = parameter("u", 1, 4, 5), coef = parameter("coef", 2, 4, 2);
        check("scaleBlocks", POOL, ops -> probe(ops, ops.scaleBlocks(u, coef, ranks, scales), 3), u, coef);
    }

    @Test
    void gate() {
        Parameter x = parameter("x", 1, 5, 7), wg = parameter("wg", 2, 2, 7), b = parameter("b", 3, 1, 2);
        check("gate", POOL, ops -> probe(ops, ops.gate(x, wg, b, 1.1f), 4), x, wg, b);
    }

    @Test
    void loraLinear() {
        int n = 3, in = 9, out = 7;
        int[] ranks = {2, 3};
        Parameter z = parameter("z", 1, n, in), a = parameter("A", 2, 5, in), b = parameter("B", 3, out, 5);
        Parameter coef = parameter("coef", 4, n, 2);
        Tensor w = FiniteDifferences.tensor("W", DType.BF16, uniform(5, out * in, 1f), out, in);
        LoraStack lora = new LoraStack(a, b, ranks, new float[] {8f, 2f});
        check("loraLinear", POOL, ops -> probe(ops, ops.loraLinear(z, w, lora, coef), 6), z, a, b, coef);
    }

    @Test
    void embeddingWithRepeatedIds() {
        Parameter table = parameter("table", 1, 6, 5);
        int[] ids = {3, 0, 3, 5};
        check("embedding", POOL, ops -> probe(ops, ops.embedding(table, ids), 2), table);
    }

    @Test
    void maskedCrossEntropy() {
        Parameter logits = new Parameter("logits", uniform(1, 5 * 7, 3f), 5, 7);
        int[] targets = {1, 6, 0, 3, 3};
        boolean[] counted = {false, true, true, false, true};
        check("crossEntropy", POOL, ops -> ops.crossEntropy(logits, targets, counted), logits);
    }

    /** cos/sin [positions][headDim/2] with Llama's default base. */
    static float[][] ropeTable(int positions, int headDim) {
        int half = headDim / 2;
        float[] cos = new float[positions * half], sin = new float[positions * half];
        for (int p = 0; p < positions; p++) {
            for (int j = 0; j < half; j++) {
                double angle = p * Math.pow(10000, -2.0 * j / headDim);
                cos[p * half + j] = (float) Math.cos(angle);
                sin[p * half + j] = (float) Math.sin(angle);
            }
        }
        return new float[][] {cos, sin};
    }
}
