package dev.loraflow.kernels;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.VectorSpecies;

/** Storage types of weight matrices, and their bulk widening to F32 (one call per block, so the switch is cheap). */
enum Dtype {
    F32(4), BF16(2), F16(2), Q8_0(0);

    private static final VectorSpecies<Float> F = Simd.F;
    /** Bytes per element; 0 for the block-quantised Q8_0. */
    final int bytes;

    Dtype(int bytes) {
        this.bytes = bytes;
    }

    /** Byte offset of element (row, col) of a [*][cols] matrix; for Q8_0, col must start a block. */
    long offset(long row, int cols, int col) {
        if (this == Q8_0) {
            return row * dev.loraflow.kernels.Q8_0.rowBytes(cols) + (long) (col / dev.loraflow.kernels.Q8_0.BLOCK) * dev.loraflow.kernels.Q8_0.BLOCK_BYTES;
        }
        return (row * cols + col) * bytes;
    }

    /**
     * dst[0..count) = the count elements starting at byte byteOff of w, as floats
     * (for Q8_0, whole blocks starting at a block boundary).
     */
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
