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

    @Test
    void sumByHalvesEqualsItsScalarTwinBitForBit() {
        SplittableRandom r = new SplittableRandom(5);
        float[] v = new float[F.length()];
        for (int trial = 0; trial < 1000; trial++) {
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) ((r.nextDouble() - 0.5) * Math.pow(10, r.nextInt(-8, 9))); // mixed magnitudes: order matters
            }
            float vector = Reproducible.sumByHalves(FloatVector.fromArray(F, v, 0));
            assertEquals(Float.floatToRawIntBits(Reproducible.sumByHalves(v)), Float.floatToRawIntBits(vector), "trial " + trial);
        }
        // the order is by halves, not lane order: 1e8 and -1e8 meet first, so the 1 survives
        float[] w = new float[F.length()];
        w[0] = 1e8f;
        w[1] = 1f;
        w[F.length() / 2] = -1e8f;
        assertEquals(1f, Reproducible.sumByHalves(FloatVector.fromArray(F, w, 0)));
        assertEquals(1f, Reproducible.sumByHalves(w));
    }
}
