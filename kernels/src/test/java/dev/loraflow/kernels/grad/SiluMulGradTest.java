package dev.loraflow.kernels.grad;

import static dev.loraflow.kernels.grad.GradCheck.assertGradient;
import static dev.loraflow.kernels.grad.GradCheck.centralDifferences;
import static dev.loraflow.kernels.grad.GradCheck.uniform;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * SiLU·mul backward against central differences in double. Gates span [-6, 6] so σ saturates on both sides;
 * each gradient is a handful of float operations on O(1) values (a vector EXP within a few ulps), so 1e-5.
 */
class SiluMulGradTest {
    @ParameterizedTest
    @ValueSource(ints = {1, 7, 17, 64, 301})
    void matchesCentralDifferences(int n) {
        float[] gate = uniform(n, n), up = uniform(n + 1, n), dy = uniform(n + 2, n);
        for (int i = 0; i < n; i++) {
            gate[i] *= 6;
        }
        for (boolean simd : new boolean[] {true, false}) {
            float[] dGate = new float[n + 2], dUp = new float[n + 1];
            if (simd) {
                SiluMulGrad.backward(gate, 0, up, 0, dy, 0, dGate, 2, dUp, 1, n);
            } else {
                SiluMulGrad.backwardReference(gate, 0, up, 0, dy, 0, dGate, 2, dUp, 1, n);
            }
            assertGradient(centralDifferences(in -> GradCheck.project(forward(in[0], in[1]), dy), 0, gate, up),
                    java.util.Arrays.copyOfRange(dGate, 2, n + 2), 1e-5, "dGate simd=" + simd);
            assertGradient(centralDifferences(in -> GradCheck.project(forward(in[0], in[1]), dy), 1, gate, up),
                    java.util.Arrays.copyOfRange(dUp, 1, n + 1), 1e-5, "dUp simd=" + simd);
        }
    }

    static double[] forward(double[] g, double[] u) {
        double[] y = new double[g.length];
        for (int i = 0; i < g.length; i++) {
            y[i] = g[i] / (1 + Math.exp(-g[i])) * u[i];
        }
        return y;
    }
}
