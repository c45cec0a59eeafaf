package dev.loraflow.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RopeTest {
    /** headDim 4: pairs (0,2) and (1,3), worked out by hand. */
    @Test
    void tinyHandCheckedCase() {
        float[] cos = {0f, 0.6f};
        float[] sin = {1f, 0.8f};
        // x'[j] = x[j]*cos[j] - x[j+2]*sin[j];  x'[j+2] = x[j+2]*cos[j] + x[j]*sin[j]
        float[] expected = {-3f, 2 * 0.6f - 4 * 0.8f, 1f, 4 * 0.6f + 2 * 0.8f};
        for (boolean simd : new boolean[] {false, true}) {
            float[] x = {9f, 1f, 2f, 3f, 4f};
            if (simd) {
                Rope.rotate(x, 1, 1, 4, cos, sin, 0);
            } else {
                Rope.rotateReference(x, 1, 1, 4, cos, sin, 0);
            }
            assertArrayEquals(new float[] {9f, expected[0], expected[1], expected[2], expected[3]}, x, 1e-6f);
        }
    }

    /** Vector mul/sub are unfused like the scalar expression, so the kernels agree bit for bit. */
    @ParameterizedTest
    @ValueSource(ints = {2, 6, 34, 64, 126, 8194})
    void matchesReference(int headDim) {
        int heads = 3;
        int half = headDim / 2;
        float[] cos = new float[half + 2];
        float[] sin = new float[half + 2];
        for (int j = 0; j < half; j++) {
            double angle = 7 * Math.pow(10000, -2.0 * j / headDim); // position 7
            cos[2 + j] = (float) Math.cos(angle);
            sin[2 + j] = (float) Math.sin(angle);
        }
        float[] x = TestData.uniform(headDim, 5 + heads * headDim + 3);
        float[] expected = x.clone();
        Rope.rotateReference(expected, 5, heads, headDim, cos, sin, 2);
        Rope.rotate(x, 5, heads, headDim, cos, sin, 2);
        assertArrayEquals(expected, x);
    }
}
