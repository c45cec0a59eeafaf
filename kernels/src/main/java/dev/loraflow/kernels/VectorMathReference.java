package dev.loraflow.kernels;

/** Scalar twins of {@link VectorMath}: the definitions the SIMD kernels are tested against (double accumulation). */
public final class VectorMathReference {
    private VectorMathReference() {}

    public static float dot(float[] a, int aOff, float[] b, int bOff, int n) {
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += (double) a[aOff + i] * b[bOff + i];
        }
        return (float) sum;
    }

    public static void rmsNorm(float[] x, int xOff, float[] weight, float eps, float[] out, int outOff, int n) {
        double ss = 0;
        for (int i = 0; i < n; i++) {
            ss += (double) x[xOff + i] * x[xOff + i];
        }
        double inv = 1.0 / Math.sqrt(ss / n + eps);
        for (int i = 0; i < n; i++) {
            out[outOff + i] = (float) (x[xOff + i] * inv * weight[i]);
        }
    }

    public static void softmaxInPlace(float[] x, int off, int n) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, x[off + i]);
        }
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += Math.exp(x[off + i] - max);
        }
        for (int i = 0; i < n; i++) {
            x[off + i] = (float) (Math.exp(x[off + i] - max) / sum);
        }
    }

    public static void siluMul(float[] gate, int gOff, float[] up, int uOff, float[] out, int oOff, int n) {
        for (int i = 0; i < n; i++) {
            double g = gate[gOff + i];
            out[oOff + i] = (float) (g / (1 + Math.exp(-g)) * up[uOff + i]);
        }
    }

    public static void addInPlace(float[] y, int yOff, float[] x, int xOff, int n) {
        for (int i = 0; i < n; i++) {
            y[yOff + i] += x[xOff + i];
        }
    }

    public static void scaleInPlace(float[] y, int off, int n, float s) {
        for (int i = 0; i < n; i++) {
            y[off + i] *= s;
        }
    }

    public static boolean allFinite(float[] x, int off, int n) {
        for (int i = 0; i < n; i++) {
            if (!Float.isFinite(x[off + i])) {
                return false;
            }
        }
        return true;
    }
}
