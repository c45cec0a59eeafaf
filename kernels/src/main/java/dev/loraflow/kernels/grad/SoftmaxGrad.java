package dev.loraflow.kernels.grad;

/**
 * The LoRA-Flow gate's nonlinearity, w = softmax(s / tau) + b per row of k adapter scores, and its backward.
 * k is the number of adapters (2 or 3), so these are scalar loops: a vector would be mostly empty lanes.
 */
public final class SoftmaxGrad {
    private SoftmaxGrad() {}

    /** probs[t] = softmax(s[t] / tau) (kept for the backward), w[t] = probs[t] + b; both [rows][k]. */
    public static void gateForward(float[] s, float tau, float[] b, float[] probs, float[] w, int rows, int k) {
        for (int t = 0; t < rows; t++) {
            int o = t * k;
            double max = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < k; i++) {
                max = Math.max(max, s[o + i] / (double) tau);
            }
            double sum = 0;
            for (int i = 0; i < k; i++) {
                sum += Math.exp(s[o + i] / (double) tau - max);
            }
            for (int i = 0; i < k; i++) {
                probs[o + i] = (float) (Math.exp(s[o + i] / (double) tau - max) / sum);
                w[o + i] = probs[o + i] + b[i];
            }
        }
    }

    /**
     * Accumulates ds[t] += probs[t] ⊙ (dw[t] − ⟨probs[t], dw[t]⟩) / tau (the softmax Jacobian, which is symmetric)
     * and, if db is not null, db += Σ_t dw[t] (b is added after the softmax, so its gradient passes straight).
     */
    public static void gateBackward(float[] probs, float[] dw, float tau, float[] ds, float[] db, int rows, int k) {
        for (int t = 0; t < rows; t++) {
            int o = t * k;
            double dot = 0;
            for (int i = 0; i < k; i++) {
                dot += (double) probs[o + i] * dw[o + i];
            }
            for (int i = 0; i < k; i++) {
                if (ds != null) {
                    ds[o + i] += (float) (probs[o + i] * (dw[o + i] - dot) / tau);
                }
                if (db != null) {
                    db[i] += dw[o + i];
                }
            }
        }
    }
}
