package dev.loraflow.kernels;

import java.lang.foreign.MemorySegment;

/** Bulk, vectorised widening of stored weights to floats: dst[dstOff .. dstOff+n) = n values from byte byteOff of src. */
public final class ToFloat {
    private ToFloat() {}

    public static void f32(MemorySegment src, long byteOff, int n, float[] dst, int dstOff) {
        Dtype.F32.widen(src, byteOff, n, dst, dstOff);
    }

    /** BF16 -> F32 is bits << 16. */
    public static void bf16(MemorySegment src, long byteOff, int n, float[] dst, int dstOff) {
        Dtype.BF16.widen(src, byteOff, n, dst, dstOff);
    }

    /** IEEE half, {@link Float#float16ToFloat} semantics. */
    public static void f16(MemorySegment src, long byteOff, int n, float[] dst, int dstOff) {
        Dtype.F16.widen(src, byteOff, n, dst, dstOff);
    }
}
