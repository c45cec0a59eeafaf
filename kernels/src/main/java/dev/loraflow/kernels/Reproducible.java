package dev.loraflow.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;

/**
 * Vector operations whose results do not depend on how the JVM runs them. The Vector API leaves the order of
 * {@code reduceLanes(ADD)} unspecified and computes {@code lanewise(EXP)} with different code in the interpreter
 * and in compiled code, so a kernel using them can return different bits before and after JIT compilation —
 * and the same training run could end with a different gate. These use only IEEE lane-wise arithmetic and bit
 * operations, which every execution tier computes identically.
 */
public final class Reproducible {
    static final float LOG2E = 1.44269504f;
    static final float LN2_HI = 0.693359375f;
    static final float LN2_LO = -2.12194440e-4f;
    /** 1.5·2^23: adding it rounds a float to the nearest integer, kept in the low mantissa bits. */
    static final float ROUNDER = 12582912f;
    static final int ROUNDER_BITS = 0x4B400000;

    /**
     * Rotations of {@link Simd#F} by half, a quarter, ... one lane: the steps of the matvec kernels' lane sums, each
     * v + (v rotated by the step), then lane 0. Lane-wise adds and permutations only, so every execution tier gives
     * the same bits; log2(lanes) shuffle+add pairs instead of lanes-1 dependent scalar adds ({@link #sum}), which over
     * a 2048-wide F32 row were about a tenth of the matvec's instructions (it streamed 1.17× the bytes per second).
     * The kernels write the steps out in place (a vector passed to a method C2 does not inline is boxed);
     * ReproducibleTest checks a kernel against this order in scalar code, bit for bit.
     */
    static final VectorShuffle<Float>[] HALVES = halves();

    private Reproducible() {}

    @SuppressWarnings("unchecked")
    private static VectorShuffle<Float>[] halves() {
        int lanes = Simd.F.length();
        VectorShuffle<Float>[] steps = new VectorShuffle[Integer.numberOfTrailingZeros(lanes)];
        for (int i = 0; i < steps.length; i++) {
            steps[i] = VectorShuffle.iota(Simd.F, lanes >> (i + 1), 1, true);
        }
        return steps;
    }

    /** The lanes' sum, added in lane order. */
    public static float sum(FloatVector v) {
        float s = 0f;
        for (int i = 0; i < v.length(); i++) {
            s += v.lane(i);
        }
        return s;
    }

    /**
     * e^x per lane, relative error below 2.5e-7 (about two float ulps) for x in [-87, 88]; below that 0, above
     * it clamped to e^88. Range reduction x = n·ln2 + r (|r| ≤ ln2/2) with a two-part ln2, a degree-7 Taylor
     * polynomial of e^r (truncation r^8/8! < 6e-9 relative, the rest is float rounding), and the scale 2^n
     * assembled in the exponent bits.
     */
    public static FloatVector exp(FloatVector x) {
        var species = x.species();
        FloatVector clamped = x.max(-87.0f).min(88.0f);
        FloatVector shifted = clamped.fma(LOG2E, ROUNDER);
        FloatVector n = shifted.sub(ROUNDER);
        FloatVector r = n.fma(FloatVector.broadcast(species, -LN2_HI), clamped);
        r = n.fma(FloatVector.broadcast(species, -LN2_LO), r);
        FloatVector p = r.fma(1f / 5040f, 1f / 720f);
        p = p.fma(r, FloatVector.broadcast(species, 1f / 120f));
        p = p.fma(r, FloatVector.broadcast(species, 1f / 24f));
        p = p.fma(r, FloatVector.broadcast(species, 1f / 6f));
        p = p.fma(r, FloatVector.broadcast(species, 0.5f));
        p = p.fma(r, FloatVector.broadcast(species, 1f));
        p = p.fma(r, FloatVector.broadcast(species, 1f));
        IntVector exponent = ((IntVector) shifted.reinterpretAsInts()).sub(ROUNDER_BITS).add(127).lanewise(VectorOperators.LSHL, 23);
        FloatVector scale = exponent.reinterpretAsFloats();
        return p.mul(scale).blend(0f, x.lt(-87.0f));
    }

    /** The scalar twin of {@link #exp(FloatVector)}: the same steps, so tails of arrays match the vector lanes. */
    public static float exp(float x) {
        if (x < -87.0f) {
            return 0f;
        }
        float clamped = Math.min(x, 88.0f);
        float shifted = Math.fma(clamped, LOG2E, ROUNDER);
        float n = shifted - ROUNDER;
        float r = Math.fma(n, -LN2_HI, clamped);
        r = Math.fma(n, -LN2_LO, r);
        float p = Math.fma(r, 1f / 5040f, 1f / 720f);
        p = Math.fma(p, r, 1f / 120f);
        p = Math.fma(p, r, 1f / 24f);
        p = Math.fma(p, r, 1f / 6f);
        p = Math.fma(p, r, 0.5f);
        p = Math.fma(p, r, 1f);
        p = Math.fma(p, r, 1f);
        int exponent = (Float.floatToRawIntBits(shifted) - ROUNDER_BITS + 127) << 23;
        return p * Float.intBitsToFloat(exponent);
    }
}
