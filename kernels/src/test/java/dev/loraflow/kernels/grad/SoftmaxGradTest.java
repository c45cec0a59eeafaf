package dev.loraflow.kernels.grad;

import static dev.loraflow.kernels.grad.GradCheck.assertGradient;
import static dev.loraflow.kernels.grad.GradCheck.centralDifferences;
import static dev.loraflow.kernels.grad.GradCheck.uniform;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The gate nonlinearity w = softmax(s/tau) + b against central differences in double (k terms, so 1e-6). */
class SoftmaxGradTest {
    @ParameterizedTest
    @CsvSource({"2, 1.0", "3, 1.1", "1, 1.0", "5, 0.7"})
    void matchesCentralDifferences(int k, float tau) {
        int rows = 4;
        float[] s = uniform(k, rows * k), b = uniform(k + 1, k), dw = uniform(k + 2, rows * k);
        float[] probs = new float[rows * k], w = new float[rows * k];
        SoftmaxGrad.gateForward(s, tau, b, probs, w, rows, k);
        double[] exact = forward(GradCheck.toDouble(s), GradCheck.toDouble(b), tau, rows, k);
        assertGradient(exact, w, 1e-6, "forward");
        float[] ds = new float[rows * k], db = new float[k];
        SoftmaxGrad.gateBackward(probs, dw, tau, ds, db, rows, k);
        assertGradient(centralDifferences(in -> GradCheck.project(forward(in[0], in[1], tau, rows, k), dw), 0, s, b), ds, 1e-6, "ds");
        assertGradient(centralDifferences(in -> GradCheck.project(forward(in[0], in[1], tau, rows, k), dw), 1, s, b), db, 1e-6, "db");
    }

    /** The released initialisation Wg = 0, b = [-0.5, 0.5] gives w = [0, 1]: "task adapter only". */
    @Test
    void releasedInitialisationSelectsTheTaskAdapter() {
        float[] probs = new float[2], w = new float[2];
        SoftmaxGrad.gateForward(new float[] {0, 0}, 1f, new float[] {-0.5f, 0.5f}, probs, w, 1, 2);
        assertArrayEquals(new float[] {0f, 1f}, w);
    }

    static double[] forward(double[] s, double[] b, double tau, int rows, int k) {
        double[] w = new double[rows * k];
        for (int t = 0; t < rows; t++) {
            double sum = 0;
            for (int i = 0; i < k; i++) {
                sum += Math.exp(s[t * k + i] / tau);
            }
            for (int i = 0; i < k; i++) {
                w[t * k + i] = Math.exp(s[t * k + i] / tau) / sum + b[i];
            }
        }
        return w;
    }
}
