package dev.loraflow.kernels.grad;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.SplittableRandom;
import java.util.function.ToDoubleFunction;

/**
 * Finite-difference gradient checks against forwards written in double. A central difference with step 1e-5 on a
 * double function whose third derivative is O(1) is exact to ~1e-10 (truncation) and ~1e-11 (rounding), so in
 * every comparison the error is the analytic kernel's own float32 rounding, which the tests bound.
 */
public final class GradCheck {
    static final double STEP = 1e-5;

    private GradCheck() {}

    public static float[] uniform(long seed, int n) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return a;
    }

    public static double[] toDouble(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = a[i];
        }
        return d;
    }

    /** ∂f/∂inputs[which] at inputs (each widened to double), by central differences. */
    public static double[] centralDifferences(ToDoubleFunction<double[][]> f, int which, float[]... inputs) {
        return centralDifferences(f, which, 1, inputs);
    }

    /**
     * As {@link #centralDifferences(ToDoubleFunction, int, float[]...)} at every {@code stride}-th element only (the
     * others are 0), for shapes whose full check would take minutes; compare with {@link #assertGradient(double[],
     * float[], int, double, String)} and the same stride.
     */
    public static double[] centralDifferences(ToDoubleFunction<double[][]> f, int which, int stride, float[]... inputs) {
        double[][] x = new double[inputs.length][];
        for (int i = 0; i < inputs.length; i++) {
            x[i] = toDouble(inputs[i]);
        }
        double[] g = new double[x[which].length];
        for (int i = 0; i < g.length; i += stride) {
            double orig = x[which][i];
            x[which][i] = orig + STEP;
            double plus = f.applyAsDouble(x);
            x[which][i] = orig - STEP;
            double minus = f.applyAsDouble(x);
            x[which][i] = orig;
            g[i] = (plus - minus) / (2 * STEP);
        }
        return g;
    }

    /** |expected − actual| ≤ relTol · max(1, max|expected|) at every element. */
    public static void assertGradient(double[] expected, float[] actual, double relTol, String what) {
        assertGradient(expected, actual, 1, relTol, what);
    }

    /** As {@link #assertGradient(double[], float[], double, String)} at every {@code stride}-th element only. */
    public static void assertGradient(double[] expected, float[] actual, int stride, double relTol, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        double scale = 1;
        for (int i = 0; i < expected.length; i += stride) {
            scale = Math.max(scale, Math.abs(expected[i]));
        }
        for (int i = 0; i < expected.length; i += stride) {
            if (!(Math.abs(expected[i] - actual[i]) <= relTol * scale)) {
                fail(what + " differs at " + i + ": expected " + expected[i] + " got " + actual[i]
                        + " (tolerance " + relTol * scale + ")");
            }
        }
    }

    /** Σ dy ⊙ y: the scalar whose gradient w.r.t. a map's inputs is the backward of that map given dy. */
    public static double project(double[] y, float[] dy) {
        double s = 0;
        for (int i = 0; i < y.length; i++) {
            s += y[i] * dy[i];
        }
        return s;
    }

    /** y[n][rows] = x[n][cols] · wᵀ in double. */
    public static double[] linear(double[] x, double[] w, int rows, int cols, int n) {
        double[] y = new double[n * rows];
        for (int t = 0; t < n; t++) {
            for (int r = 0; r < rows; r++) {
                double s = 0;
                for (int c = 0; c < cols; c++) {
                    s += x[t * cols + c] * w[r * cols + c];
                }
                y[t * rows + r] = s;
            }
        }
        return y;
    }
}
