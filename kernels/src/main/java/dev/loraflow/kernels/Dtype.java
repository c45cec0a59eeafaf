package dev.loraflow.kernels;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.VectorSpecies;

/** Storage types of weight matrices, and their bulk widening to F32 (one call per block, so the switch is cheap). */
enum Dtype {
    F32(4), BF16(2), F16(2);

    private static final VectorSpecies<Float> F = Simd.F;
    final int bytes;

    Dtype(int bytes) {
        this.bytes = bytes;
    }

    /** dst[0..count) = the count elements starting at byte byteOff of w, as floats. */
    void widen(MemorySegment w, long byteOff, long count, float[] dst) {
        int n = Math.toIntExact(count);
        int bound = F.loopBound(n);
        int i = 0;
        switch (this) {
            case F32 -> {
                for (; i < bound; i += F.length()) {
                    Widen.f32(w, byteOff + 4L * i).intoArray(dst, i);
                }
                for (; i < n; i++) {
                    dst[i] = Widen.f32(w, byteOff, i);
                }
            }
            case BF16 -> {
                for (; i < bound; i += F.length()) {
                    Widen.bf16(w, byteOff + 2L * i).intoArray(dst, i);
                }
                for (; i < n; i++) {
                    dst[i] = Widen.bf16(w, byteOff, i);
                }
            }
            case F16 -> {
                for (; i < bound; i += F.length()) {
                    Widen.f16(w, byteOff + 2L * i).intoArray(dst, i);
                }
                for (; i < n; i++) {
                    dst[i] = Widen.f16(w, byteOff, i);
                }
            }
        }
    }

}
