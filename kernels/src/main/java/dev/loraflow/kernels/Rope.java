package dev.loraflow.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Rotary position embedding, HuggingFace rotate_half convention: within each head of size headDim, element j pairs
 * with j + headDim/2. cos/sin for one position are arrays of headDim/2 at csOff, shared by all nHeads heads.
 */
public final class Rope {
    private static final VectorSpecies<Float> F = Simd.F;

    private Rope() {}

    public static void rotate(float[] x, int xOff, int nHeads, int headDim, float[] cos, float[] sin, int csOff) {
        int half = headDim / 2;
        int bound = F.loopBound(half);
        for (int head = 0; head < nHeads; head++) {
            int lo = xOff + head * headDim;
            int hi = lo + half;
            int j = 0;
            for (; j < bound; j += F.length()) {
                FloatVector a = FloatVector.fromArray(F, x, lo + j);
                FloatVector b = FloatVector.fromArray(F, x, hi + j);
                FloatVector c = FloatVector.fromArray(F, cos, csOff + j);
                FloatVector s = FloatVector.fromArray(F, sin, csOff + j);
                a.mul(c).sub(b.mul(s)).intoArray(x, lo + j);
                b.mul(c).add(a.mul(s)).intoArray(x, hi + j);
            }
            rotateScalar(x, lo, half, cos, sin, csOff, j);
        }
    }

    public static void rotateReference(float[] x, int xOff, int nHeads, int headDim, float[] cos, float[] sin, int csOff) {
        for (int head = 0; head < nHeads; head++) {
            rotateScalar(x, xOff + head * headDim, headDim / 2, cos, sin, csOff, 0);
        }
    }

    /** Rotates pairs j in [from, half) of the head at lo. */
    private static void rotateScalar(float[] x, int lo, int half, float[] cos, float[] sin, int csOff, int from) {
        for (int j = from; j < half; j++) {
            float a = x[lo + j];
            float b = x[lo + half + j];
            float c = cos[csOff + j];
            float s = sin[csOff + j];
            x[lo + j] = a * c - b * s;
            x[lo + half + j] = b * c + a * s;
        }
    }
}
