package dev.loraflow.kernels.grad;

import static dev.loraflow.kernels.grad.GradCheck.assertGradient;
import static dev.loraflow.kernels.grad.GradCheck.centralDifferences;
import static dev.loraflow.kernels.grad.GradCheck.uniform;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** RoPE backward (rotation by −θ) against central differences of the double rotation; each output is two products. */
class RopeGradTest {
    @ParameterizedTest
    @ValueSource(ints = {2, 6, 34, 64, 130})
    void inverseRotationMatchesCentralDifferences(int headDim) {
        int heads = 3, half = headDim / 2;
        float[] cos = new float[half + 1], sin = new float[half + 1];
        for (int j = 0; j < half; j++) {
            double angle = 5 * Math.pow(10000, -2.0 * j / headDim);
            cos[1 + j] = (float) Math.cos(angle);
            sin[1 + j] = (float) Math.sin(angle);
        }
        float[] x = uniform(headDim, heads * headDim), dy = uniform(headDim + 1, heads * headDim);
        double[] expected = centralDifferences(in -> GradCheck.project(forward(in[0], heads, headDim, cos, sin), dy), 0, x);
        float[] g = dy.clone();
        RopeGrad.rotateBack(g, 0, heads, headDim, cos, RopeGrad.negatedSin(sin), 1);
        assertGradient(expected, g, 1e-6, "rotateBack");
        float[] ref = dy.clone();
        RopeGrad.rotateBackReference(ref, 0, heads, headDim, cos, sin, 1);
        assertGradient(expected, ref, 1e-6, "rotateBackReference");
    }

    static double[] forward(double[] x, int heads, int headDim, float[] cos, float[] sin) {
        double[] y = x.clone();
        int half = headDim / 2;
        for (int h = 0; h < heads; h++) {
            for (int j = 0; j < half; j++) {
                int lo = h * headDim + j;
                y[lo] = x[lo] * cos[1 + j] - x[lo + half] * sin[1 + j];
                y[lo + half] = x[lo + half] * cos[1 + j] + x[lo] * sin[1 + j];
            }
        }
        return y;
    }
}
