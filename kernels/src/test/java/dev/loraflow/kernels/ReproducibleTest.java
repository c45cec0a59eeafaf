package dev.loraflow.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.junit.jupiter.api.Test;

class ReproducibleTest {
    private static final VectorSpecies<Float> F = Simd.F;

    @Test
    void expIsAccurateAndVectorEqualsScalarBitForBit() {
        SplittableRandom r = new SplittableRandom(1);
        float[] x = new float[F.length() * 4096];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (r.nextDouble() * 180 - 90); // covers both clamps
        }
        x[0] = 0f;
        x[1] = -87.5f;
        x[2] = 88.5f;
        x[3] = 1e-8f;
        double worst = 0;
        for (int i = 0; i < x.length; i += F.length()) {
            FloatVector v = Reproducible.exp(FloatVector.fromArray(F, x, i));
            for (int j = 0; j < F.length(); j++) {
                float scalar = Reproducible.exp(x[i + j]);
                assertEquals(Float.floatToRawIntBits(scalar), Float.floatToRawIntBits(v.lane(j)), "lane for x = " + x[i + j]);
                double exact = Math.exp(Math.min(x[i + j], 88.0));
                if (x[i + j] >= -87f) {
                    worst = Math.max(worst, Math.abs(scalar - exact) / exact);
                } else {
                    assertEquals(0f, scalar);
                }
            }
        }
        assertEquals(1f, Reproducible.exp(0f));
        // float rounding of a handful of FMAs and the final product: about two ulps (1.2e-7 each)
        assertTrue(worst < 2.5e-7, "worst relative error " + worst);
    }

    @Test
    void sumAddsLanesInOrder() {
        float[] v = new float[F.length()];
        v[0] = 1e8f;
        v[1] = 1f;
        v[F.length() - 1] = -1e8f;
        float expected = 0f;
        for (float f : v) {
            expected += f;
        }
        assertEquals(expected, Reproducible.sum(FloatVector.fromArray(F, v, 0)));
    }

    /**
     * The F32 matvec is its scalar definition, bit for bit: one FMA chain per lane over the whole vectors, the lanes
     * summed by halves ({@link Reproducible#HALVES}), then the tail columns' FMAs. Mixed magnitudes, so any other order
     * of the additions would change the bits.
     */
    @Test
    void f32MatvecEqualsItsScalarDefinitionBitForBit() {
        SplittableRandom r = new SplittableRandom(5);
        int lanes = F.length(), rows = 7, cols = 3 * lanes + 5;
        float[] w = new float[rows * cols];
        float[] x = new float[cols];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) ((r.nextDouble() - 0.5) * Math.pow(10, r.nextInt(-8, 9)));
        }
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (r.nextDouble() - 0.5);
        }
        float[] y = new float[rows];
        MatVec.f32(TestData.weights(Dtype.F32, w, 0), 0, cols, x, 0, y, 0, 0, rows);
        int bound = cols - cols % lanes;
        for (int row = 0; row < rows; row++) {
            float[] acc = new float[lanes];
            for (int c = 0; c < bound; c++) {
                acc[c % lanes] = Math.fma(w[row * cols + c], x[c], acc[c % lanes]);
            }
            float s = sumByHalves(acc);
            for (int c = bound; c < cols; c++) {
                s = Math.fma(w[row * cols + c], x[c], s);
            }
            assertEquals(Float.floatToRawIntBits(s), Float.floatToRawIntBits(y[row]), "row " + row);
        }
    }

    /** lanes[0] + lanes[half], ... : each step adds the values rotated by half, a quarter, ... one lane; then lane 0. */
    private static float sumByHalves(float[] lanes) {
        float[] a = lanes.clone();
        for (int half = a.length / 2; half >= 1; half /= 2) {
            float[] next = new float[a.length];
            for (int i = 0; i < a.length; i++) {
                next[i] = a[i] + a[(i + half) % a.length];
            }
            a = next;
        }
        return a[0];
    }
}
