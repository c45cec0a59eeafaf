package dev.loraflow.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;

/** Seeded random inputs, weight segments in each storage type, and tolerance-aware comparisons. */
final class TestData {
    /** Awkward lengths: none is a multiple of 4, 8 or 16 lanes. */
    static final int[] SIZES = {1, 3, 17, 63, 4097};

    private TestData() {}

    static float[] uniform(long seed, int n) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return a;
    }

    /** Weight segment of {@code values} in dtype, preceded by {@code pad} junk bytes (so wOffset = pad is unaligned). */
    static MemorySegment weights(Dtype dtype, float[] values, int pad) {
        return weights(dtype, values, values.length, pad);
    }

    /** As {@link #weights(Dtype, float[], int)} for a matrix of rows of {@code cols} values (Q8_0 is stored by row). */
    static MemorySegment weights(Dtype dtype, float[] values, int cols, int pad) {
        long size = dtype == Dtype.Q8_0 ? Q8_0.bytes(values.length / cols, cols) : (long) values.length * dtype.bytes;
        MemorySegment s = Arena.ofAuto().allocate(pad + size + 8, 64);
        s.fill((byte) 0x5a);
        if (dtype == Dtype.Q8_0) {
            for (int r = 0; r < values.length / cols; r++) {
                Q8_0.quantize(values, r * cols, cols, s, pad + r * Q8_0.rowBytes(cols));
            }
            return s;
        }
        for (int i = 0; i < values.length; i++) {
            long at = pad + (long) i * dtype.bytes;
            switch (dtype) {
                case F32 -> s.set(Widen.FLOAT, at, values[i]);
                case BF16 -> s.set(Widen.SHORT, at, (short) (Float.floatToRawIntBits(values[i]) >>> 16));
                case F16 -> s.set(Widen.SHORT, at, Float.floatToFloat16(values[i]));
                case Q8_0 -> throw new AssertionError();
            }
        }
        return s;
    }

    /** |expected - actual| <= tol[i] for every element. */
    static void assertClose(float[] expected, float[] actual, float[] tol, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        for (int i = 0; i < expected.length; i++) {
            if (!(Math.abs(expected[i] - actual[i]) <= tol[i])) {
                fail(what + " differs at " + i + ": expected " + expected[i] + " got " + actual[i] + " (tol " + tol[i] + ")");
            }
        }
    }

    static void assertClose(float[] expected, float[] actual, float tol, String what) {
        float[] t = new float[expected.length];
        java.util.Arrays.fill(t, tol);
        assertClose(expected, actual, t, what);
    }
}
