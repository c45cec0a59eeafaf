package dev.loraflow.kernels.grad;

import dev.loraflow.kernels.VectorMath;

/**
 * LoRA-Flow's per-token scaling of the stacked adapter activations: u [n][R] holds the adapters' A·z side by side
 * (adapter i in columns [off_i, off_i + ranks[i]), R = Σ ranks), and y[t][block i] = u[t][block i] · coef[t][i] ·
 * scales[i], coef [n][k] being the gate weights and scales[i] = alpha_i / r_i.
 */
public final class BlockScale {
    private BlockScale() {}

    public static int totalRank(int[] ranks) {
        int r = 0;
        for (int x : ranks) {
            r += x;
        }
        return r;
    }

    /** y = the scaled u (y may be u itself). */
    public static void forward(float[] u, float[] coef, int[] ranks, float[] scales, float[] y, int n) {
        int k = ranks.length, total = totalRank(ranks);
        for (int t = 0; t < n; t++) {
            for (int i = 0, off = t * total; i < k; off += ranks[i], i++) {
                float c = coef[t * k + i] * scales[i];
                for (int j = off; j < off + ranks[i]; j++) {
                    y[j] = u[j] * c;
                }
            }
        }
    }

    /**
     * Accumulates du[t][block i] += dy · coef[t][i] · scales[i] and dCoef[t][i] += scales[i] · ⟨dy, u⟩ over block i.
     * Either output may be null when nothing needs it.
     */
    public static void backward(float[] u, float[] coef, int[] ranks, float[] scales, float[] dy,
                                float[] du, float[] dCoef, int n) {
        int k = ranks.length, total = totalRank(ranks);
        for (int t = 0; t < n; t++) {
            for (int i = 0, off = t * total; i < k; off += ranks[i], i++) {
                if (dCoef != null) {
                    dCoef[t * k + i] += scales[i] * VectorMath.dot(dy, off, u, off, ranks[i]);
                }
                if (du != null) {
                    Axpy.add(coef[t * k + i] * scales[i], dy, off, du, off, ranks[i]);
                }
            }
        }
    }
}
