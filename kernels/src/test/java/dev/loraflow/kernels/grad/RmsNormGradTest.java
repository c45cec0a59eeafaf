package dev.loraflow.kernels.grad;

import static dev.loraflow.kernels.grad.GradCheck.assertGradient;
import static dev.loraflow.kernels.grad.GradCheck.centralDifferences;
import static dev.loraflow.kernels.grad.GradCheck.uniform;

import dev.loraflow.kernels.ThreadPool;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * RMSNorm backward against central differences of a double forward, at dims around the lane counts. Inputs in
 * [-1, 1] keep inv = O(1); float sums over ≤ 300 terms stay within 1e-5 relative of the largest gradient.
 */
class RmsNormGradTest {
    private static final ThreadPool POOL = new ThreadPool(2);
    private static final float EPS = 1e-5f;

    @AfterAll
    static void close() {
        POOL.close();
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 17, 64, 259})
    void matchesCentralDifferences(int dim) {
        int rows = 3;
        float[] x = uniform(dim, rows * dim), w = uniform(dim + 1, dim), dy = uniform(dim + 2, rows * dim);
        float[] dx = new float[rows * dim], dw = new float[dim];
        RmsNormGrad.input(x, 0, w, EPS, dy, 0, dx, 0, rows, dim, POOL);
        RmsNormGrad.weight(x, 0, EPS, dy, 0, dw, rows, dim, POOL);
        assertGradient(centralDifferences(in -> GradCheck.project(forward(in[0], in[1], rows, dim), dy), 0, x, w), dx, 1e-5, "dx");
        assertGradient(centralDifferences(in -> GradCheck.project(forward(in[0], in[1], rows, dim), dy), 1, x, w), dw, 1e-5, "dw");

        float[] dxRef = new float[rows * dim], dwRef = new float[dim];
        RmsNormGrad.reference(x, 0, w, EPS, dy, 0, dxRef, 0, dwRef, rows, dim);
        assertGradient(GradCheck.toDouble(dxRef), dx, 1e-5, "dx vs reference");
        assertGradient(GradCheck.toDouble(dwRef), dw, 1e-5, "dw vs reference");
    }

    static double[] forward(double[] x, double[] w, int rows, int dim) {
        double[] y = new double[rows * dim];
        for (int r = 0; r < rows; r++) {
            double ss = 0;
            for (int i = 0; i < dim; i++) {
                ss += x[r * dim + i] * x[r * dim + i];
            }
            double inv = 1 / Math.sqrt(ss / dim + EPS);
            for (int i = 0; i < dim; i++) {
                y[r * dim + i] = x[r * dim + i] * inv * w[i];
            }
        }
        return y;
    }
}
