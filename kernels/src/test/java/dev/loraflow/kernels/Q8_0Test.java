package dev.loraflow.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

class Q8_0Test {
    /**
     * GGML's block_q8_0 numbers (a half-precision scale d = max|v|/127 and 32 int8 per block), laid out per row as
     * the cols quants followed by the cols/32 scales, each the half d widened to an F32 (36 bytes per block).
     */
    @Test
    void rowLayoutHoldsGgmlNumbers() {
        float[] v = new float[64];
        for (int i = 0; i < 32; i++) {
            v[i] = i - 16;          // max |v| = 16 -> d = 16/127
            v[32 + i] = 0;          // all-zero block -> d = 0, q = 0
        }
        v[5] = -16;
        MemorySegment m = Arena.ofAuto().allocate(Q8_0.bytes(1, 64));
        assertEquals(72, m.byteSize());
        Q8_0.quantize(v, 0, 64, m, 0);
        assertEquals(-127, m.get(ValueLayout.JAVA_BYTE, 5));        // v[5] = -16 -> -127
        assertEquals(0, m.get(ValueLayout.JAVA_BYTE, 16));          // v[16] = 0
        assertEquals(Math.round(15 * 127 / 16f), m.get(ValueLayout.JAVA_BYTE, 31));
        for (int i = 0; i < 32; i++) {
            assertEquals(0, m.get(ValueLayout.JAVA_BYTE, 32 + i));
        }
        // scales follow the 64 quants: the half-precision d, as an F32
        assertEquals(Float.float16ToFloat(Float.floatToFloat16(16f / 127)), m.get(Widen.FLOAT, 64));
        assertEquals(0f, m.get(Widen.FLOAT, 68));
    }

    /** A part of a row (as the GEMM packing reads it) equals the same columns of the whole row. */
    @Test
    void partialRowMatchesWholeRow() {
        int cols = 32 * 9;
        float[] v = TestData.uniform(11, 2 * cols);
        MemorySegment m = Arena.ofAuto().allocate(Q8_0.bytes(2, cols) + 5);
        Q8_0.quantize(v, 0, cols, m, 5);
        Q8_0.quantize(v, cols, cols, m, 5 + Q8_0.rowBytes(cols));
        float[] whole = new float[cols];
        Q8_0.dequantize(m, 5 + Q8_0.rowBytes(cols), cols, whole, 0);
        float[] part = new float[96 + 1];
        Q8_0.dequantize(m, 5 + Q8_0.rowBytes(cols), cols, 128, 96, part, 1);
        for (int i = 0; i < 96; i++) {
            assertEquals(whole[128 + i], part[1 + i], "column " + (128 + i));
            assertEquals(Q8_0.value(m, 5 + Q8_0.rowBytes(cols), cols, 128 + i), part[1 + i], "scalar value at " + (128 + i));
        }
        assertThrows(IllegalArgumentException.class, () -> Q8_0.dequantize(m, 5, cols, 16, 32, part, 0));
    }

    /** Rounding to the nearest of 255 levels: error at most d/2 (plus the half-precision rounding of d itself). */
    @Test
    void roundTripWithinHalfAStep() {
        int n = 32 * 130;
        float[] v = TestData.uniform(5, n);
        MemorySegment m = Arena.ofAuto().allocate(Q8_0.bytes(1, n) + 3);
        Q8_0.quantize(v, 0, n, m, 3);
        float[] back = new float[n + 2];
        Q8_0.dequantize(m, 3, n, back, 2);
        for (int b = 0; b < n / 32; b++) {
            float amax = 0;
            for (int i = 0; i < 32; i++) {
                amax = Math.max(amax, Math.abs(v[b * 32 + i]));
            }
            float d = amax / 127;
            for (int i = 0; i < 32; i++) {
                int at = b * 32 + i;
                assertTrue(Math.abs(v[at] - back[2 + at]) <= d * 0.5f + amax * 1e-3f, "value " + at);
                assertEquals(Q8_0.value(m, 3, n, at), back[2 + at], "dequantize vs scalar at " + at);
            }
        }
    }

    /** The vector quantiser writes exactly the scalar reference's bytes, ties (half away from zero) included. */
    @Test
    void quantizeMatchesScalarReference() {
        int cols = 32 * 7;
        float[] v = TestData.uniform(21, cols);
        for (int i = 0; i < 32; i++) {
            v[i] = (i % 2 == 0 ? 1 : -1) * (i + 0.5f);  // block 0: halves, d = 31.5/127
        }
        v[32] = 127;                                    // block 1: d = 1 exactly, so these are exact ties
        for (int i = 1; i < 32; i++) {
            v[32 + i] = (i % 2 == 0 ? 1 : -1) * (i * 3 + 0.5f);
        }
        java.util.Arrays.fill(v, 64, 96, 0f);           // block 2: all zero
        for (int i = 96; i < 128; i++) {
            v[i] *= 1e6f;                               // block 3: large values
        }
        for (int i = 128; i < 160; i++) {
            v[i] *= 1e-30f;                             // block 4: tiny values (subnormal half scale)
        }
        MemorySegment vec = Arena.ofAuto().allocate(Q8_0.bytes(1, cols) + 1);
        MemorySegment ref = Arena.ofAuto().allocate(Q8_0.bytes(1, cols) + 1);
        Q8_0.quantize(v, 0, cols, vec, 1);
        Q8_0.quantizeReference(v, 0, cols, ref, 1);
        for (long b = 0; b < vec.byteSize(); b++) {
            assertEquals(ref.get(ValueLayout.JAVA_BYTE, b), vec.get(ValueLayout.JAVA_BYTE, b), "byte " + b);
        }
        assertEquals(-4, vec.get(ValueLayout.JAVA_BYTE, 1 + 33));      // -3.5 with d = 1: away from zero, as roundf
        assertEquals(7, vec.get(ValueLayout.JAVA_BYTE, 1 + 34));       // 6.5 -> 7
    }

    @Test
    void rejectsPartialBlocks() {
        MemorySegment m = Arena.ofAuto().allocate(1024);
        assertThrows(IllegalArgumentException.class, () -> Q8_0.quantize(new float[40], 0, 40, m, 0));
        try (ThreadPool pool = new ThreadPool(1)) {
            assertThrows(IllegalArgumentException.class,
                    () -> MatMul.q8_0(m, 0, 2, 40, new float[40], 0, new float[2], 0, 1, pool));
        }
    }
}
