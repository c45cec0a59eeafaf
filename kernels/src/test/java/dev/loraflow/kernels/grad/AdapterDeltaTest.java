package dev.loraflow.kernels.grad;

import static dev.loraflow.kernels.grad.GradCheck.assertGradient;
import static dev.loraflow.kernels.grad.GradCheck.centralDifferences;
import static dev.loraflow.kernels.grad.GradCheck.uniform;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.loraflow.kernels.ThreadPool;
import java.util.function.ToDoubleFunction;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The fused LoRA-Flow adapter path (and BlockScale inside it) against central differences of a double forward
 * that computes each adapter separately, Σ_i coef_i·s_i·B_i(A_i z): sums of the outputs, never a product of
 * sums. Gradients are short sums of O(1) products, so 1e-5 of the largest.
 */
class AdapterDeltaTest {
    private static final ThreadPool POOL = new ThreadPool(2);

    @AfterAll
    static void close() {
        POOL.close();
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 9})
    void forwardAndAllGradientsMatchCentralDifferences(int n) {
        int in = 13, out = 11;
        int[] ranks = {3, 5};
        float[] scales = {16f / 3, 0.5f};
        int total = 8;
        float[] a = uniform(1, total * in), b = uniform(2, out * total), z = uniform(3, n * in);
        float[] coef = uniform(4, n * ranks.length), dy = uniform(5, n * out);
        AdapterDelta.Stack stack = new AdapterDelta.Stack(a, b, ranks, scales, in, out);

        float[] u = new float[n * total], y = uniform(6, n * out), y0 = y.clone();
        AdapterDelta.forward(stack, z, coef, n, u, y, POOL);
        double[] delta = forward(GradCheck.toDouble(z), GradCheck.toDouble(a), GradCheck.toDouble(b), GradCheck.toDouble(coef), ranks, scales, n, in, out);
        for (int i = 0; i < y.length; i++) {
            y[i] -= y0[i]; // forward adds onto y
        }
        assertGradient(delta, y, 1e-5, "forward delta");

        AdapterDelta.Grads g = new AdapterDelta.Grads(new float[n * in], new float[n * ranks.length], new float[a.length], new float[b.length]);
        AdapterDelta.backward(stack, z, u, coef, dy, n, g, POOL);
        ToDoubleFunction<double[][]> loss = x -> GradCheck.project(forward(x[0], x[1], x[2], x[3], ranks, scales, n, in, out), dy);
        assertGradient(centralDifferences(loss, 0, z, a, b, coef), g.dz(), 1e-5, "dz");
        assertGradient(centralDifferences(loss, 1, z, a, b, coef), g.dA(), 1e-5, "dA");
        assertGradient(centralDifferences(loss, 2, z, a, b, coef), g.dB(), 1e-5, "dB");
        assertGradient(centralDifferences(loss, 3, z, a, b, coef), g.dCoef(), 1e-5, "dCoef");

        // Only the gate coefficients train (LoRA-Flow's default): the other outputs may be absent.
        AdapterDelta.Grads gateOnly = new AdapterDelta.Grads(null, new float[n * ranks.length], null, null);
        AdapterDelta.backward(stack, null, u, coef, dy, n, gateOnly, POOL);
        assertGradient(GradCheck.toDouble(g.dCoef()), gateOnly.dCoef(), 1e-7, "dCoef alone");
        assertNull(gateOnly.dz());
    }

    static double[] forward(double[] z, double[] a, double[] b, double[] coef, int[] ranks, float[] scales, int n, int in, int out) {
        int total = BlockScale.totalRank(ranks);
        double[] y = new double[n * out];
        for (int t = 0; t < n; t++) {
            for (int i = 0, off = 0; i < ranks.length; off += ranks[i], i++) {
                for (int o = 0; o < out; o++) {
                    double s = 0;
                    for (int r = off; r < off + ranks[i]; r++) {
                        double az = 0;
                        for (int c = 0; c < in; c++) {
                            az += a[r * in + c] * z[t * in + c];
                        }
                        s += b[o * total + r] * az;
                    }
                    y[t * out + o] += coef[t * ranks.length + i] * scales[i] * s;
                }
            }
        }
        return y;
    }
}
