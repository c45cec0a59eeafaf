package dev.loraflow.kernels.grad;

import dev.loraflow.kernels.Rope;

/**
 * Backward of {@link Rope#rotate}. RoPE rotates each pair (j, j + headDim/2) by an angle θ, an orthogonal map,
 * so its gradient is the rotation by −θ: the same kernel with sin negated (cos(−θ) = cos θ, sin(−θ) = −sin θ).
 * Callers build the negated table once per cos/sin table with {@link #negatedSin}.
 */
public final class RopeGrad {
    private RopeGrad() {}

    public static float[] negatedSin(float[] sin) {
        float[] neg = new float[sin.length];
        for (int i = 0; i < sin.length; i++) {
            neg[i] = -sin[i];
        }
        return neg;
    }

    /** g (the gradient w.r.t. the rotated heads, in place) becomes the gradient w.r.t. the unrotated heads. */
    public static void rotateBack(float[] g, int gOff, int nHeads, int headDim, float[] cos, float[] negSin, int csOff) {
        Rope.rotate(g, gOff, nHeads, headDim, cos, negSin, csOff);
    }

    /** Scalar twin of {@link #rotateBack}, written out from the transpose of the rotation. */
    public static void rotateBackReference(float[] g, int gOff, int nHeads, int headDim, float[] cos, float[] sin, int csOff) {
        int half = headDim / 2;
        for (int h = 0; h < nHeads; h++) {
            int lo = gOff + h * headDim;
            for (int j = 0; j < half; j++) {
                double a = g[lo + j], b = g[lo + half + j], c = cos[csOff + j], s = sin[csOff + j];
                g[lo + j] = (float) (a * c + b * s);
                g[lo + half + j] = (float) (b * c - a * s);
            }
        }
    }
}
