package dev.loraflow.core.autograd;

import dev.loraflow.core.LoraflowException;
import dev.loraflow.core.Tensor;
import dev.loraflow.kernels.Gemm;
import dev.loraflow.kernels.MatMul;
import dev.loraflow.kernels.Rope;
import dev.loraflow.kernels.ThreadPool;
import dev.loraflow.kernels.VectorMath;
import dev.loraflow.kernels.grad.AdapterDelta;
import dev.loraflow.kernels.grad.AttentionGrad;
import dev.loraflow.kernels.grad.BlockScale;
import dev.loraflow.kernels.grad.CrossEntropy;
import dev.loraflow.kernels.grad.EmbeddingGrad;
import dev.loraflow.kernels.grad.MatMulGrad;
import dev.loraflow.kernels.grad.RmsNormGrad;
import dev.loraflow.kernels.grad.RopeGrad;
import dev.loraflow.kernels.grad.SiluMulGrad;
import dev.loraflow.kernels.grad.SoftmaxGrad;

/**
 * Differentiable operations over [rows][cols] variables (rows are tokens, B sequences of T laid end to end).
 * Each computes its forward with the engine's kernels and, when its output requires a gradient, records a
 * backward on the tape that keeps only what that backward reads, and computes only the gradients some input
 * requires: gradients flow through frozen weights, none is computed for them.
 */
public final class Ops {
    /** From this many rows on, a frozen weight's forward runs as a GEMM on its cached transpose. */
    private static final int GEMM_ROWS = 32;

    private final Tape tape;
    private final ThreadPool pool;
    private final TransposeCache transposes;

    public Ops(Tape tape, ThreadPool pool) {
        this(tape, pool, null);
    }

    /** @param transposes where transposed frozen weights are kept between steps for the forward (null: never transpose) */
    public Ops(Tape tape, ThreadPool pool, TransposeCache transposes) {
        this.tape = tape;
        this.pool = pool;
        this.transposes = transposes;
    }

    public Tape tape() {
        return tape;
    }

    /** y = x · Wᵀ for a frozen weight W [out][in] (F32, BF16 or F16); gradient to x only. */
    public Variable linear(Variable x, Tensor w) {
        int out = frozenRows(w, x.cols());
        int n = x.rows();
        Variable y = result("linear", new float[n * out], n, out, x);
        frozenForward(w, x.data(), y.data(), n);
        Gradient dx = x.gradient();
        tape.record("linear", y, g -> frozenInputGrad(w, g, dx.accumulator(), n), x);
        return y;
    }

    /** y = x · Wᵀ for a float weight W [out][in], which may train (LoRA A/B, full-weight training). */
    public Variable linear(Variable x, Variable w) {
        requireCols("linear", x, w.cols());
        int n = x.rows(), out = w.rows(), in = w.cols();
        Variable y = result("linear", new float[n * out], n, out, x, w);
        MatMulGrad.forward(w.data(), out, in, x.data(), y.data(), n, pool);
        float[] wData = w.data();
        float[] xData = w.requiresGrad() ? x.data() : null; // x is read back only to train W
        Gradient dx = x.gradient(), dw = w.gradient();
        tape.record("linear", y, g -> {
            if (dx != null) {
                MatMulGrad.input(wData, 0, out, in, g, 0, dx.accumulator(), 0, n, pool);
            }
            if (dw != null) {
                MatMulGrad.weight(g, 0, xData, 0, dw.accumulator(), 0, out, in, n, pool);
            }
        }, x, w);
        return y;
    }

    public Variable add(Variable a, Variable b) {
        if (a.rows() != b.rows() || a.cols() != b.cols()) {
            throw shapeError("add", a, b);
        }
        Variable y = result("add", a.data().clone(), a.rows(), a.cols(), a, b);
        VectorMath.addInPlace(y.data(), 0, b.data(), 0, y.data().length);
        Gradient da = a.gradient(), db = b.gradient();
        tape.record("add", y, g -> {
            for (Gradient d : new Gradient[] {da, db}) {
                if (d != null) {
                    VectorMath.addInPlace(d.accumulator(), 0, g, 0, g.length);
                }
            }
        }, a, b);
        return y;
    }

    /** Row-wise RMSNorm with a frozen weight [cols]. */
    public Variable rmsNorm(Variable x, float[] weight, float eps) {
        return rmsNorm(x, Variable.constant(weight, 1, weight.length), eps);
    }

    /** Row-wise RMSNorm with a weight [1][cols] that may train (full-weight training). */
    public Variable rmsNorm(Variable x, Variable weight, float eps) {
        int dim = requireCols("rmsNorm", x, weight.cols());
        Variable y = result("rmsNorm", new float[x.data().length], x.rows(), dim, x, weight);
        float[] xData = x.data();
        float[] w = weight.data();
        pool.parallelFor(x.rows(), (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                VectorMath.rmsNorm(xData, r * dim, w, eps, y.data(), r * dim, dim);
            }
        });
        Gradient dx = x.gradient(), dw = weight.gradient();
        int n = x.rows();
        tape.record("rmsNorm", y, g -> {
            if (dx != null) {
                RmsNormGrad.input(xData, 0, w, eps, g, 0, dx.accumulator(), 0, n, dim, pool);
            }
            if (dw != null) {
                RmsNormGrad.weight(xData, 0, eps, g, 0, dw.accumulator(), n, dim, pool);
            }
        }, x, weight);
        return y;
    }

    /** Rotary embedding of x [B*T][heads*headDim]; row r is at position r % seqLen of its sequence. */
    public Variable rope(Variable x, int heads, int headDim, RopeTable table, int seqLen) {
        int width = requireCols("rope", x, heads * headDim);
        if (seqLen <= 0 || x.rows() % seqLen != 0 || seqLen > table.positions()) {
            throw new LoraflowException("rope: " + x.rows() + " rows are not whole sequences of " + seqLen
                    + " positions within a table of " + table.positions());
        }
        Variable y = result("rope", x.data().clone(), x.rows(), width, x);
        pool.parallelFor(x.rows(), (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                Rope.rotate(y.data(), r * width, heads, headDim, table.cos(), table.sin(), table.offset(r % seqLen));
            }
        });
        Gradient dx = x.gradient();
        int n = x.rows();
        tape.record("rope", y, g -> {
            float[] back = g.clone();
            for (int r = 0; r < n; r++) {
                RopeGrad.rotateBack(back, r * width, heads, headDim, table.cos(), table.negSin(), table.offset(r % seqLen));
            }
            VectorMath.addInPlace(dx.accumulator(), 0, back, 0, back.length);
        }, x);
        return y;
    }

    /** Causal GQA attention within each of the batch's sequences; see {@link AttentionGrad} for what it keeps. */
    public Variable attention(Variable q, Variable k, Variable v, AttentionGrad.Shape shape) {
        requireCols("attention q", q, shape.heads() * shape.headDim());
        requireCols("attention k", k, shape.kvHeads() * shape.headDim());
        requireCols("attention v", v, shape.kvHeads() * shape.headDim());
        Variable y = result("attention", new float[q.data().length], q.rows(), q.cols(), q, k, v);
        float[] lse = new float[shape.rows() * shape.heads()];
        float[] qd = q.data(), kd = k.data(), vd = v.data();
        AttentionGrad.forward(qd, kd, vd, y.data(), lse, shape, pool);
        Gradient dq = q.gradient(), dk = k.gradient(), dv = v.gradient();
        tape.record("attention", y, g -> AttentionGrad.backward(qd, kd, vd, lse, g,
                orScratch(dq, qd.length), orScratch(dk, kd.length), orScratch(dv, vd.length), shape, pool), q, k, v);
        return y;
    }

    /** silu(gate) ⊙ up. */
    public Variable siluMul(Variable gate, Variable up) {
        if (gate.rows() != up.rows() || gate.cols() != up.cols()) {
            throw shapeError("siluMul", gate, up);
        }
        int n = gate.data().length;
        int cols = gate.cols();
        Variable y = result("siluMul", new float[n], gate.rows(), cols, gate, up);
        float[] gd = gate.data(), ud = up.data(), yd = y.data();
        // Row ranges on the pool: element-wise, so the split does not change a bit, and run on one thread this was
        // a serial stretch of the step while the other core waited.
        pool.parallelFor(gate.rows(), (r0, r1) -> VectorMath.siluMul(gd, r0 * cols, ud, r0 * cols, yd, r0 * cols, (r1 - r0) * cols));
        Gradient dg = gate.gradient(), du = up.gradient();
        tape.record("siluMul", y, g -> {
            float[] dgd = orScratch(dg, n), dud = orScratch(du, n);
            pool.parallelFor(gate.rows(), (r0, r1) -> SiluMulGrad.backward(gd, r0 * cols, ud, r0 * cols, g, r0 * cols,
                    dgd, r0 * cols, dud, r0 * cols, (r1 - r0) * cols));
        }, gate, up);
        return y;
    }

    /**
     * LoRA-Flow's per-token adapter scaling: u [n][Σr] holds the adapters' activations side by side; block i of
     * row t is multiplied by coef[t][i] · scales[i]. Gradients to u and to the coefficients.
     */
    public Variable scaleBlocks(Variable u, Variable coef, int[] ranks, float[] scales) {
        requireCols("scaleBlocks", u, BlockScale.totalRank(ranks));
        requireCols("scaleBlocks coefficients", coef, ranks.length);
        int n = u.rows();
        Variable y = result("scaleBlocks", new float[u.data().length], n, u.cols(), u, coef);
        float[] ud = u.data(), cd = coef.data();
        BlockScale.forward(ud, cd, ranks, scales, y.data(), n);
        Gradient du = u.gradient(), dc = coef.gradient();
        tape.record("scaleBlocks", y, g -> BlockScale.backward(ud, cd, ranks, scales, g, orNull(du), orNull(dc), n), u, coef);
        return y;
    }

    /**
     * The LoRA-Flow gate: w = softmax(x · Wgᵀ / tau) + b, with x [n][d] the layer's residual input, Wg [k][d] and
     * b [1][k]. Returns w [n][k]; gradients to Wg, b and x as they require.
     */
    public Variable gate(Variable x, Variable wg, Variable bias, float tau) {
        int d = requireCols("gate", x, wg.cols());
        int n = x.rows(), k = wg.rows();
        requireCols("gate bias", bias, k);
        float[] scores = new float[n * k];
        MatMulGrad.forward(wg.data(), k, d, x.data(), scores, n, pool);
        float[] probs = new float[n * k];
        Variable w = result("gate", new float[n * k], n, k, x, wg, bias);
        SoftmaxGrad.gateForward(scores, tau, bias.data(), probs, w.data(), n, k);
        float[] xData = wg.requiresGrad() ? x.data() : null, wgData = wg.data();
        Gradient dx = x.gradient(), dwg = wg.gradient(), db = bias.gradient();
        tape.record("gate", w, g -> {
            float[] ds = dwg != null || dx != null ? new float[n * k] : null;
            SoftmaxGrad.gateBackward(probs, g, tau, ds, orNull(db), n, k);
            if (dwg != null) {
                MatMulGrad.weight(ds, 0, xData, 0, dwg.accumulator(), 0, k, d, n, pool);
            }
            if (dx != null) {
                MatMulGrad.input(wgData, 0, k, d, ds, 0, dx.accumulator(), 0, n, pool);
            }
        }, x, wg, bias);
        return w;
    }

    /**
     * LoRA-Flow's fused projection: y = z · Wᵀ + Σ_i coef[:, i] · s_i · B_i(A_i z), W frozen, coef [n][k] the gate
     * weights. Keeps u = A·z ([n][Σr]) for the backward, and z only if A trains.
     */
    public Variable loraLinear(Variable z, Tensor w, LoraStack lora, Variable coef) {
        return loraLinear(z, z, w, lora, coef);
    }

    /**
     * The fused projection with the adapters reading their own input (z after LoRA dropout):
     * y = z · Wᵀ + Σ_i coef[:, i] · s_i · B_i(A_i zAdapters).
     */
    public Variable loraLinear(Variable z, Variable zAdapters, Tensor w, LoraStack lora, Variable coef) {
        int n = z.rows(), out = frozenRows(w, z.cols());
        requireCols("loraLinear coefficients", coef, lora.adapters());
        requireCols("loraLinear adapter input", zAdapters, z.cols());
        AdapterDelta.Stack stack = lora.kernelStack();
        if (stack.in() != z.cols() || stack.out() != out) {
            throw new LoraflowException("loraLinear: adapters map " + stack.in() + " -> " + stack.out() + " but W is " + w);
        }
        Variable y = result("loraLinear", new float[n * out], n, out, z, zAdapters, lora.a(), lora.b(), coef);
        frozenForward(w, z.data(), y.data(), n);
        float[] u = new float[n * stack.totalRank()];
        float[] cd = coef.data();
        AdapterDelta.forward(stack, zAdapters.data(), cd, n, u, y.data(), pool);
        float[] zData = lora.a().requiresGrad() ? zAdapters.data() : null;
        Gradient gz = z.gradient(), gza = zAdapters.gradient(), gc = coef.gradient();
        Gradient ga = lora.a().gradient(), gb = lora.b().gradient();
        tape.record("loraLinear", y, g -> {
            float[] dz = orNull(gz);
            if (dz != null) {
                frozenInputGrad(w, g, dz, n);
            }
            AdapterDelta.backward(stack, zData, u, cd, g, n, new AdapterDelta.Grads(orNull(gza), orNull(gc), orNull(ga), orNull(gb)), pool);
        }, z, zAdapters, lora.a(), lora.b(), coef);
        return y;
    }

    /**
     * Inverted dropout: each element is zeroed with probability p and the rest scaled by 1/(1-p). The mask comes
     * from {@code seed} alone, so a checkpointed block replays exactly the same mask in its backward.
     */
    public Variable dropout(Variable x, float p, long seed) {
        if (!(p >= 0 && p < 1)) {
            throw new LoraflowException("dropout probability must be in [0, 1), got " + p);
        }
        if (p == 0) {
            return x;
        }
        float keep = 1 / (1 - p);
        float[] mask = new float[x.data().length];
        java.util.SplittableRandom random = new java.util.SplittableRandom(seed);
        for (int i = 0; i < mask.length; i++) {
            mask[i] = random.nextDouble() < p ? 0f : keep;
        }
        Variable y = result("dropout", new float[mask.length], x.rows(), x.cols(), x);
        float[] xd = x.data(), yd = y.data();
        for (int i = 0; i < mask.length; i++) {
            yd[i] = xd[i] * mask[i];
        }
        Gradient dx = x.gradient();
        tape.record("dropout", y, g -> {
            float[] acc = dx.accumulator();
            for (int i = 0; i < acc.length; i++) {
                acc[i] += g[i] * mask[i];
            }
        }, x);
        return y;
    }

    /** Rows of a frozen embedding table [vocab][d]: a constant, no gradient. */
    public Variable embedding(Tensor table, int[] ids) {
        int vocab = (int) table.dim(0), d = (int) table.dim(1);
        float[] y = new float[ids.length * d];
        for (int t = 0; t < ids.length; t++) {
            requireToken(ids[t], t, vocab);
            table.copyFloats((long) ids[t] * d, d, y, t * d);
        }
        return Variable.constant(y, ids.length, d);
    }

    /** Rows of an embedding table that may train (scatter-add backward). */
    public Variable embedding(Variable table, int[] ids) {
        int d = table.cols();
        Variable y = result("embedding", new float[ids.length * d], ids.length, d, table);
        for (int t = 0; t < ids.length; t++) {
            requireToken(ids[t], t, table.rows());
            System.arraycopy(table.data(), ids[t] * d, y.data(), t * d, d);
        }
        int[] kept = ids.clone();
        Gradient dt = table.gradient();
        int vocab = table.rows();
        tape.record("embedding", y, g -> EmbeddingGrad.scatterAdd(kept, g, 0, dt.accumulator(), vocab, d, pool), table);
        return y;
    }

    /** Mean next-token cross-entropy over the rows with counted[t] (response tokens), as a [1][1] loss. */
    public Variable crossEntropy(Variable logits, int[] targets, boolean[] counted) {
        if (targets.length != logits.rows()) {
            throw new LoraflowException("crossEntropy: " + targets.length + " targets for " + logits.rows() + " rows of logits");
        }
        float loss;
        try {
            loss = CrossEntropy.loss(logits.data(), logits.cols(), targets, counted, pool);
        } catch (IllegalArgumentException e) {
            throw new LoraflowException("crossEntropy: " + e.getMessage(), e);
        }
        Variable y = result("crossEntropy", new float[] {loss}, 1, 1, logits);
        float[] ld = logits.data();
        int[] t = targets.clone();
        boolean[] m = counted.clone();
        Gradient dl = logits.gradient();
        int vocab = logits.cols();
        tape.record("crossEntropy", y, g -> CrossEntropy.gradient(ld, vocab, t, m, g[0], dl.accumulator(), pool), logits);
        return y;
    }

    /** Σ c ⊙ x as a [1][1] variable: a fixed linear functional (probing gradients, auxiliary losses). */
    public Variable dot(Variable x, float[] c) {
        if (c.length != x.data().length) {
            throw new LoraflowException("dot: " + c.length + " coefficients for " + x.data().length + " values");
        }
        double s = 0;
        for (int i = 0; i < c.length; i++) {
            s += (double) c[i] * x.data()[i];
        }
        Variable y = result("dot", new float[] {(float) s}, 1, 1, x);
        Gradient dx = x.gradient();
        float[] coefficients = c.clone();
        tape.record("dot", y, g -> {
            float[] acc = dx.accumulator();
            for (int i = 0; i < acc.length; i++) {
                acc[i] += g[0] * coefficients[i];
            }
        }, x);
        return y;
    }

    /**
     * Runs block(input) under activation recomputation: the forward records nothing inside the block (its
     * intermediates are garbage as soon as it returns) and the tape keeps only the input; the backward runs the
     * block again on a recording tape and backpropagates through it. Gradients are bit-identical to running the
     * block directly, since the same kernels run in the same order.
     */
    public Variable checkpoint(Block block, Variable input) {
        Variable out = block.apply(new Ops(Tape.notRecording(), pool, transposes), input);
        if (out == input) {
            return out; // an identity block: nothing to recompute, and input's gradient must not be re-seeded
        }
        tape.record("checkpoint", out, g -> {
            Tape replay = new Tape();
            Variable again = block.apply(new Ops(replay, pool, transposes), input);
            again.gradient().adopt(g);
            replay.backwardFrom(again);
        }, input);
        return out;
    }

    private Variable result(String op, float[] data, int rows, int cols, Variable... inputs) {
        boolean requiresGrad = false;
        for (Variable v : inputs) {
            requiresGrad |= v.requiresGrad();
        }
        return new Variable(data, rows, cols, "output of " + op, requiresGrad, false);
    }

    private static float[] orNull(Gradient g) {
        return g == null ? null : g.accumulator();
    }

    /** The gradient buffer, or a throwaway one for an input that needs none (kernels that write every output). */
    private static float[] orScratch(Gradient g, int size) {
        return g == null ? new float[size] : g.accumulator();
    }

    private static int frozenRows(Tensor w, int in) {
        if (w.rank() != 2 || w.dim(1) != in) {
            throw new LoraflowException("weight " + w + " does not take rows of " + in + " values");
        }
        return (int) w.dim(0);
    }

    /**
     * y = x·Wᵀ. From {@link #GEMM_ROWS} rows on, with a transpose cache, it runs as the k-major GEMM on the cached
     * Wᵀ [in][out], whose packing is a contiguous widen instead of a transpose of W on every call.
     */
    private void frozenForward(Tensor w, float[] x, float[] y, int n) {
        int out = (int) w.dim(0), in = (int) w.dim(1);
        if (transposes != null && n >= GEMM_ROWS) {
            Tensor wt = transposes.of(w, pool);
            switch (w.dtype()) {
                case F32 -> Gemm.f32(wt.data(), 0, in, out, x, 0, y, 0, n, false, pool);
                case BF16 -> Gemm.bf16(wt.data(), 0, in, out, x, 0, y, 0, n, false, pool);
                case F16 -> Gemm.f16(wt.data(), 0, in, out, x, 0, y, 0, n, false, pool);
                default -> throw new LoraflowException("weight " + w + " is not F32, BF16 or F16");
            }
            return;
        }
        switch (w.dtype()) {
            case F32 -> MatMul.f32(w.data(), 0, out, in, x, 0, y, 0, n, pool);
            case BF16 -> MatMul.bf16(w.data(), 0, out, in, x, 0, y, 0, n, pool);
            case F16 -> MatMul.f16(w.data(), 0, out, in, x, 0, y, 0, n, pool);
            default -> throw new LoraflowException("weight " + w + " is not F32, BF16 or F16");
        }
    }

    /** dx += dy·W; from 32 rows on the kernel runs it as the k-major GEMM on W itself (see {@link MatMulGrad}). */
    private void frozenInputGrad(Tensor w, float[] dy, float[] dx, int n) {
        int out = (int) w.dim(0), in = (int) w.dim(1);
        switch (w.dtype()) {
            case F32 -> MatMulGrad.inputF32(w.data(), 0, out, in, dy, 0, dx, 0, n, pool);
            case BF16 -> MatMulGrad.inputBf16(w.data(), 0, out, in, dy, 0, dx, 0, n, pool);
            case F16 -> MatMulGrad.inputF16(w.data(), 0, out, in, dy, 0, dx, 0, n, pool);
            default -> throw new LoraflowException("weight " + w + " is not F32, BF16 or F16");
        }
    }

    private static int requireCols(String op, Variable x, int cols) {
        if (x.cols() != cols) {
            throw new LoraflowException(op + ": rows of " + x.cols() + " values where " + cols + " are needed");
        }
        return cols;
    }

    private static void requireToken(int id, int position, int vocab) {
        if (id < 0 || id >= vocab) {
            throw new LoraflowException("token id " + id + " at position " + position + " is outside the vocabulary of " + vocab);
        }
    }

    private static LoraflowException shapeError(String op, Variable a, Variable b) {
        return new LoraflowException(op + ": shapes [" + a.rows() + "][" + a.cols() + "] and [" + b.rows() + "][" + b.cols() + "] differ");
    }
}
