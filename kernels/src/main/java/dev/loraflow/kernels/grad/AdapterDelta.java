package dev.loraflow.kernels.grad;

import dev.loraflow.kernels.ThreadPool;
import dev.loraflow.kernels.VectorMath;

/**
 * The adapter half of LoRA-Flow's fused projection, forward and backward:
 * Δy[t] = Σ_i coef[t][i] · s_i · B_i·(A_i·z[t]), with the k adapters stacked as A [R][in] (A_i in rows
 * off_i..off_i+r_i) and B [out][R] (B_i in those columns), R = Σ r_i. One stacked matmul per side serves all
 * adapters. The forward keeps u = A·z ([n][R], small) for the backward; z is needed again only to train A.
 */
public final class AdapterDelta {
    private AdapterDelta() {}

    /** The frozen or trainable adapter matrices of one projection. */
    public record Stack(float[] a, float[] b, int[] ranks, float[] scales, int in, int out) {
        public Stack {
            if (ranks.length != scales.length) {
                throw new IllegalArgumentException(ranks.length + " ranks but " + scales.length + " scales");
            }
            int total = BlockScale.totalRank(ranks);
            MatMulGrad.checkRange(a, 0, (long) total * in, "A");
            MatMulGrad.checkRange(b, 0, (long) out * total, "B");
        }

        public int adapters() {
            return ranks.length;
        }

        public int totalRank() {
            return BlockScale.totalRank(ranks);
        }
    }

    /** Gradients the backward should produce; any may be null when nothing downstream needs it. All accumulate. */
    public record Grads(float[] dz, float[] dCoef, float[] dA, float[] dB) {}

    /** u [n][R] = z·Aᵀ (kept for the backward); y [n][out] += Δy. */
    public static void forward(Stack s, float[] z, float[] coef, int n, float[] u, float[] y, ThreadPool pool) {
        int total = s.totalRank();
        MatMulGrad.forward(s.a(), total, s.in(), z, u, n, pool);
        float[] scaled = new float[n * total];
        BlockScale.forward(u, coef, s.ranks(), s.scales(), scaled, n);
        float[] delta = new float[n * s.out()];
        MatMulGrad.forward(s.b(), s.out(), total, scaled, delta, n, pool);
        int out = s.out();
        pool.parallelFor(n, (r0, r1) -> VectorMath.addInPlace(y, r0 * out, delta, r0 * out, (r1 - r0) * out)); // element-wise: same bits
    }

    /** Backward from dy [n][out]; z is read only when g.dA() is wanted. */
    public static void backward(Stack s, float[] z, float[] u, float[] coef, float[] dy, int n, Grads g, ThreadPool pool) {
        int total = s.totalRank();
        float[] dScaled = new float[n * total];
        MatMulGrad.input(s.b(), 0, s.out(), total, dy, 0, dScaled, 0, n, pool);
        if (g.dB() != null) {
            float[] scaled = new float[n * total];
            BlockScale.forward(u, coef, s.ranks(), s.scales(), scaled, n);
            MatMulGrad.weight(dy, 0, scaled, 0, g.dB(), 0, s.out(), total, n, pool);
        }
        boolean needU = g.dz() != null || g.dA() != null;
        float[] du = needU ? new float[n * total] : null;
        BlockScale.backward(u, coef, s.ranks(), s.scales(), dScaled, du, g.dCoef(), n);
        if (g.dA() != null) {
            MatMulGrad.weight(du, 0, z, 0, g.dA(), 0, total, s.in(), n, pool);
        }
        if (g.dz() != null) {
            MatMulGrad.input(s.a(), 0, total, s.in(), du, 0, g.dz(), 0, n, pool);
        }
    }
}
