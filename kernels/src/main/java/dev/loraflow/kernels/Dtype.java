package dev.loraflow.kernels;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.VectorSpecies;

/** Storage types of weight matrices, and their bulk widening to F32 (one call per block, so the switch is cheap). */
public enum Dtype {
    F32(4), BF16(2), F16(2), Q8_0(0);

    private static final VectorSpecies<Float> F = Simd.F;
    /** Bytes per element; 0 for the block-quantised Q8_0. */
    final int bytes;

    Dtype(int bytes) {
        this.bytes = bytes;
    }

    /**
     * Byte offset of element (row, col) of a [*][cols] matrix. Q8_0 rows are not element-addressable (their scales
     * follow the quants), so for Q8_0 col must be 0: use {@link #widenRow} to read part of a row.
     */
    long offset(long row, int cols, int col) {
        if (this == Q8_0) {
            if (col != 0) {
                throw new IllegalArgumentException("Q8_0 rows are read whole or through widenRow, not from column " + col);
            }
            return row * dev.loraflow.kernels.Q8_0.rowBytes(cols);
        }
        return (row * cols + col) * bytes;
    }

    /**
     * dst[0..count) = columns [col, col+count) of row {@code row} of a [*][cols] matrix at byte wOffset, as floats
     * (for Q8_0, col and count multiples of 32).
     */
    void widenRow(MemorySegment w, long wOffset, int cols, long row, int col, int count, float[] dst) {
        widenRow(w, wOffset, cols, row, col, count, dst, 0);
    }

    /** As {@link #widenRow(MemorySegment, long, int, long, int, int, float[])}, into dst[dstOff .. dstOff+count). */
    void widenRow(MemorySegment w, long wOffset, int cols, long row, int col, int count, float[] dst, int dstOff) {
        if (this == Q8_0) {
            dev.loraflow.kernels.Q8_0.dequantize(w, wOffset + offset(row, cols, 0), cols, col, count, dst, dstOff);
        } else {
            widen(w, wOffset + offset(row, cols, col), count, dst, dstOff);
        }
    }

    /** dst[0..count) = the count elements starting at byte byteOff of w, as floats (for Q8_0, one whole row). */
    void widen(MemorySegment w, long byteOff, long count, float[] dst) {
        widen(w, byteOff, count, dst, 0);
    }

    /** As {@link #widen(MemorySegment, long, long, float[])}, into dst[dstOff .. dstOff+count). */
    void widen(MemorySegment w, long byteOff, long count, float[] dst, int dstOff) {
        int n = Math.toIntExact(count);
        int bound = F.loopBound(n);
        int i = 0;
        switch (this) {
            case F32 -> {
                for (; i < bound; i += F.length()) {
                    Widen.f32(w, byteOff + 4L * i).intoArray(dst, dstOff + i);
                }
                for (; i < n; i++) {
                    dst[dstOff + i] = Widen.f32(w, byteOff, i);
                }
            }
            case BF16 -> {
                for (; i < bound; i += F.length()) {
                    Widen.bf16(w, byteOff + 2L * i).intoArray(dst, dstOff + i);
                }
                for (; i < n; i++) {
                    dst[dstOff + i] = Widen.bf16(w, byteOff, i);
                }
            }
            case Q8_0 -> dev.loraflow.kernels.Q8_0.dequantize(w, byteOff, n, dst, dstOff);
            case F16 -> {
                for (; i < bound; i += F.length()) {
                    Widen.f16(w, byteOff + 2L * i).intoArray(dst, dstOff + i);
                }
                for (; i < n; i++) {
                    dst[dstOff + i] = Widen.f16(w, byteOff, i);
                }
            }
        }
    }

}
