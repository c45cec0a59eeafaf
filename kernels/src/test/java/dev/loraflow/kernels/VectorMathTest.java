package dev.loraflow.kernels;

import static dev.loraflow.kernels.TestData.assertClose;
import static dev.loraflow.kernels.TestData.uniform;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * Every SIMD kernel against its scalar twin. The reference accumulates in double; the kernels in float with
 * several partial sums, whose rounding error is at most about log2(n)+lanes float ulps of the sum of |terms|,
 * so sums are compared with 1e-5 relative to that magnitude (≈ 80 ulps, ample for n = 4097).
 * Element-wise kernels (no accumulation) must agree to a few ulps: 1e-6 relative plus 1e-7 absolute.
 * Inputs sit at an offset of 5 so no array starts on a vector boundary.
 */
class VectorMathTest {
    private static final int OFF = 5;
    static final int[] sizes = TestData.SIZES;

    private static float[] padded(long seed, int n) {
        float[] a = uniform(seed, n + 2 * OFF);
        return a;
    }

    @ParameterizedTest
    @FieldSource("sizes")
    void dot(int n) {
        float[] a = padded(1, n);
        float[] b = padded(2, n);
        double magnitude = 0;
        for (int i = 0; i < n; i++) {
            magnitude += Math.abs(a[OFF + i] * b[OFF + 1 + i]);
        }
        float expected = VectorMathReference.dot(a, OFF, b, OFF + 1, n);
        assertEquals(expected, VectorMath.dot(a, OFF, b, OFF + 1, n), 1e-5 * magnitude + 1e-7);
    }

    @ParameterizedTest
    @FieldSource("sizes")
    void rmsNorm(int n) {
        float[] x = padded(3, n);
        float[] w = uniform(4, n);
        float[] expected = new float[n + OFF];
        float[] actual = new float[n + OFF];
        VectorMathReference.rmsNorm(x, OFF, w, 1e-5f, expected, 2, n);
        VectorMath.rmsNorm(x, OFF, w, 1e-5f, actual, 2, n);
        // The only accumulation is the sum of squares (relative error ~1e-6); each output is x*inv*w.
        assertClose(expected, actual, relative(expected, 1e-5f), "rmsNorm n=" + n);
    }

    @ParameterizedTest
    @FieldSource("sizes")
    void softmax(int n) {
        float[] x = padded(5, n);
        for (int i = 0; i < x.length; i++) {
            x[i] *= 30; // wide range: exp would overflow without the max subtraction at ±88
        }
        x[OFF] = 100;
        float[] expected = x.clone();
        float[] actual = x.clone();
        VectorMathReference.softmaxInPlace(expected, OFF, n);
        VectorMath.softmaxInPlace(actual, OFF, n);
        // exp is accurate to ~1 ulp; the normalising sum to ~1e-6 relative.
        assertClose(expected, actual, relative(expected, 1e-5f), "softmax n=" + n);
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += actual[OFF + i];
        }
        assertEquals(1.0, sum, 1e-5);
        assertEquals(x[0], actual[0]); // outside the range untouched
        assertEquals(x[OFF + n], actual[OFF + n]);
    }

    @ParameterizedTest
    @FieldSource("sizes")
    void siluMul(int n) {
        float[] g = padded(6, n);
        for (int i = 0; i < g.length; i++) {
            g[i] *= 12; // reach the saturating tails of the sigmoid
        }
        float[] u = padded(7, n);
        float[] expected = new float[n + 3];
        float[] actual = new float[n + 3];
        VectorMathReference.siluMul(g, OFF, u, OFF + 2, expected, 3, n);
        VectorMath.siluMul(g, OFF, u, OFF + 2, actual, 3, n);
        assertClose(expected, actual, relative(expected, 4e-6f), "siluMul n=" + n);
    }

    @ParameterizedTest
    @FieldSource("sizes")
    void addAndScale(int n) {
        float[] y = padded(8, n);
        float[] x = padded(9, n);
        float[] expected = y.clone();
        float[] actual = y.clone();
        VectorMathReference.addInPlace(expected, OFF, x, OFF + 1, n);
        VectorMath.addInPlace(actual, OFF, x, OFF + 1, n);
        VectorMathReference.scaleInPlace(expected, OFF, n, -1.7f);
        VectorMath.scaleInPlace(actual, OFF, n, -1.7f);
        // Single correctly rounded float operations: bit-identical.
        assertEquals(Arrays.toString(expected), Arrays.toString(actual));
    }

    @ParameterizedTest
    @FieldSource("sizes")
    void max(int n) {
        float[] x = padded(12, n);
        float expected = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            expected = Math.max(expected, x[OFF + i]);
        }
        assertEquals(expected, VectorMath.max(x, OFF, n));
    }

    /** Tolerance rel*|e| + 1e-7 per element. */
    static float[] relative(float[] expected, float rel) {
        float[] t = new float[expected.length];
        for (int i = 0; i < t.length; i++) {
            t[i] = rel * Math.abs(expected[i]) + 1e-7f;
        }
        return t;
    }

    /** VectorMath writes e^x out inline (no vector may cross a call); it must stay Reproducible.exp bit for bit. */
    @Test
    void inlineExpIsReproducibleExp() {
        int lanes = Simd.F.length();
        float[] x = new float[64 * lanes];
        for (int i = 0; i < x.length; i++) {
            x[i] = -100f + 200f * i / x.length; // beyond both clamps
        }
        float[] shifted = uniform(9, x.length);
        for (float sign : new float[] {1f, -1f}) {
            for (float shift : new float[] {0f, 3.5f}) {
                float[] actual = new float[x.length];
                float[] expected = new float[x.length];
                for (int i = 0; i < x.length; i += lanes) {
                    VectorMath.exp(x, i, sign, shift, actual, i);
                    Reproducible.exp(FloatVector.fromArray(Simd.F, x, i).mul(sign).sub(shift)).intoArray(expected, i);
                }
                assertClose(expected, actual, 0f, "sign " + sign + " shift " + shift);
                for (int i = 0; i < x.length; i += lanes) {
                    VectorMath.exp(shifted, i, sign, shift, actual, i);
                    Reproducible.exp(FloatVector.fromArray(Simd.F, shifted, i).mul(sign).sub(shift)).intoArray(expected, i);
                }
                assertClose(expected, actual, 0f, "uniform, sign " + sign + " shift " + shift);
            }
        }
    }

    /**
     * VectorMath keeps its own copy of the e^x polynomial (so no vector crosses a call); it must give exactly the
     * bits of {@link Reproducible#exp(FloatVector)}, which the training kernels use, including clamping at ±87/88.
     */
    @Test
    void expCopyMatchesReproducibleExpBitForBit() {
        int lanes = VectorMath.vectorBits() / 32;
        float[] x = new float[64 * lanes];
        for (int i = 0; i < x.length; i++) {
            x[i] = -100f + 200f * i / x.length; // covers below -87, the normal range and above 88
        }
        float[] viaCopy = new float[x.length];
        float[] viaReproducible = new float[x.length];
        for (float[] signShift : new float[][] {{1f, 0f}, {-1f, 0f}, {1f, 3.5f}}) {
            for (int i = 0; i < x.length; i += lanes) {
                VectorMath.exp(x, i, signShift[0], signShift[1], viaCopy, i);
                Reproducible.exp(FloatVector.fromArray(Simd.F, x, i).mul(signShift[0]).sub(signShift[1]))
                        .intoArray(viaReproducible, i);
            }
            for (int i = 0; i < x.length; i++) {
                assertEquals(Float.floatToRawIntBits(viaReproducible[i]), Float.floatToRawIntBits(viaCopy[i]),
                        "e^(" + signShift[0] + "·" + x[i] + " - " + signShift[1] + ")");
            }
        }
    }

    /** One NaN, +inf or -inf at each position (first, middle, last, in the scalar tail) is found; finite data passes. */
    @ParameterizedTest
    @FieldSource("sizes")
    void allFinite(int n) {
        float[] x = padded(11, n);
        x[0] = Float.NaN; // outside the range: must not count
        x[x.length - 1] = Float.POSITIVE_INFINITY;
        assertEquals(VectorMathReference.allFinite(x, OFF, n), VectorMath.allFinite(x, OFF, n));
        assertEquals(true, VectorMath.allFinite(x, OFF, n));
        for (int at : new int[] {0, n / 2, n - 1}) {
            for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
                float[] y = x.clone();
                y[OFF + at] = bad;
                assertEquals(false, VectorMathReference.allFinite(y, OFF, n), "reference, n=" + n + " at " + at);
                assertEquals(false, VectorMath.allFinite(y, OFF, n), "n=" + n + " at " + at + ": " + bad);
            }
        }
    }
}
