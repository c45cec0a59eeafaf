package dev.loraflow.core.autograd;

import static dev.loraflow.core.autograd.FiniteDifferences.uniform;

import dev.loraflow.core.DType;
import dev.loraflow.core.Tensor;
import dev.loraflow.kernels.grad.AttentionGrad;
import java.util.ArrayList;
import java.util.List;

/**
 * A one-layer Llama-shaped model with a LoRA-Flow gate and two adapters on all seven projections, built from
 * {@link Ops}: embedding → rmsnorm → q/k/v → rope → GQA attention → o → residual → rmsnorm → gate/up → siluMul →
 * down → residual → rmsnorm → lm head → masked cross-entropy. Which of gate, adapters and embedding train is chosen
 * at construction; the rest are constants.
 */
final class TinyTransformer {
    static final int VOCAB = 11, DIM = 12, HEADS = 2, KV_HEADS = 1, HEAD_DIM = 6, FFN = 10, BATCH = 2, SEQ = 4;
    static final int[] RANKS = {2, 3};
    static final float[] SCALES = {8f / 2, 8f / 3};
    static final float EPS = 1e-5f;

    final Variable wg, bias, embedding;
    final List<Parameter> parameters = new ArrayList<>();
    private final Tensor embTensor, wq, wk, wv, wo, wGate, wUp, wDown, lmHead;
    private final LoraStack lq, lk, lv, lo, lGate, lUp, lDown;
    private final float[] norm1 = uniform(40, DIM, 1f), norm2 = uniform(41, DIM, 1f), normF = uniform(42, DIM, 1f);
    private final RopeTable rope;
    private final AttentionGrad.Shape shape = new AttentionGrad.Shape(BATCH, SEQ, HEADS, KV_HEADS, HEAD_DIM, (float) (1 / Math.sqrt(HEAD_DIM)));
    final int[] ids = {1, 4, 7, 2, 9, 9, 3, 0};
    final int[] targets = {4, 7, 2, 5, 9, 3, 0, 10};
    final boolean[] counted = {false, true, true, true, false, false, true, true}; // prompts masked

    TinyTransformer(boolean trainGate, boolean trainAdapters, boolean trainEmbedding) {
        float[] table = uniform(1, VOCAB * DIM, 1f);
        embTensor = FiniteDifferences.tensor("embed", DType.F32, table, VOCAB, DIM);
        embedding = variable(trainEmbedding, "embed", table, VOCAB, DIM);
        wq = frozen("q", 2, HEADS * HEAD_DIM, DIM);
        wk = frozen("k", 3, KV_HEADS * HEAD_DIM, DIM);
        wv = frozen("v", 4, KV_HEADS * HEAD_DIM, DIM);
        wo = frozen("o", 5, DIM, HEADS * HEAD_DIM);
        wGate = frozen("gate", 6, FFN, DIM);
        wUp = frozen("up", 7, FFN, DIM);
        wDown = frozen("down", 8, DIM, FFN);
        lmHead = frozen("lm_head", 9, VOCAB, DIM);
        lq = lora(trainAdapters, "q", 10, DIM, HEADS * HEAD_DIM);
        lk = lora(trainAdapters, "k", 11, DIM, KV_HEADS * HEAD_DIM);
        lv = lora(trainAdapters, "v", 12, DIM, KV_HEADS * HEAD_DIM);
        lo = lora(trainAdapters, "o", 13, HEADS * HEAD_DIM, DIM);
        lGate = lora(trainAdapters, "gate", 14, DIM, FFN);
        lUp = lora(trainAdapters, "up", 15, DIM, FFN);
        lDown = lora(trainAdapters, "down", 16, FFN, DIM);
        wg = variable(trainGate, "Wg", uniform(17, RANKS.length * DIM, 1f), RANKS.length, DIM);
        bias = variable(trainGate, "b", new float[] {-0.5f, 0.5f}, 1, RANKS.length);
        float[][] cs = OpsGradientTest.ropeTable(SEQ, HEAD_DIM);
        rope = new RopeTable(cs[0], cs[1], HEAD_DIM);
    }

    Variable loss(Ops ops, boolean checkpointed) {
        Variable h = embedding instanceof Parameter ? ops.embedding(embedding, ids) : ops.embedding(embTensor, ids);
        Variable out = checkpointed ? ops.checkpoint(this::layer, h) : layer(ops, h);
        Variable logits = ops.linear(ops.rmsNorm(out, normF, EPS), lmHead);
        return ops.crossEntropy(logits, targets, counted);
    }

    /** One decoder layer with the LoRA-Flow gate computed from the layer's residual input. */
    Variable layer(Ops ops, Variable h) {
        Variable w = ops.gate(h, wg, bias, 1f);
        Variable x = ops.rmsNorm(h, norm1, EPS);
        Variable q = ops.rope(ops.loraLinear(x, wq, lq, w), HEADS, HEAD_DIM, rope, SEQ);
        Variable k = ops.rope(ops.loraLinear(x, wk, lk, w), KV_HEADS, HEAD_DIM, rope, SEQ);
        Variable v = ops.loraLinear(x, wv, lv, w);
        Variable mid = ops.add(h, ops.loraLinear(ops.attention(q, k, v, shape), wo, lo, w));
        Variable x2 = ops.rmsNorm(mid, norm2, EPS);
        Variable m = ops.siluMul(ops.loraLinear(x2, wGate, lGate, w), ops.loraLinear(x2, wUp, lUp, w));
        return ops.add(mid, ops.loraLinear(m, wDown, lDown, w));
    }

    private Variable variable(boolean trains, String name, float[] data, int rows, int cols) {
        if (!trains) {
            return Variable.constant(data, rows, cols);
        }
        Parameter p = new Parameter(name, data, rows, cols);
        parameters.add(p);
        return p;
    }

    private static Tensor frozen(String name, long seed, int rows, int cols) {
        return FiniteDifferences.tensor(name, DType.BF16, uniform(seed, rows * cols, 0.5f), rows, cols);
    }

    private LoraStack lora(boolean trains, String name, long seed, int in, int out) {
        int total = RANKS[0] + RANKS[1];
        return new LoraStack(variable(trains, "A_" + name, uniform(seed, total * in, 0.5f), total, in),
                variable(trains, "B_" + name, uniform(seed + 100, out * total, 0.5f), out, total), RANKS, SCALES);
    }
}
