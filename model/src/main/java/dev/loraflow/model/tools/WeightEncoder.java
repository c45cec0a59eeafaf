package dev.loraflow.model.tools;

import dev.loraflow.core.DType;
import dev.loraflow.core.safetensors.FloatConversions;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/** Converts floats to the little-endian bytes of a safetensors weight dtype. */
final class WeightEncoder {
    private static final ValueLayout.OfShort I16_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat F32_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private WeightEncoder() {}

    /** Writes src[0..n) as {@code dtype} into dst from byte 0; dst must hold n × dtype size bytes. */
    static void encode(float[] src, int n, DType dtype, byte[] dst) {
        MemorySegment out = MemorySegment.ofArray(dst);
        switch (dtype) {
            case F32 -> MemorySegment.copy(src, 0, out, F32_LE, 0, n);
            case BF16 -> {
                for (int i = 0; i < n; i++) {
                    out.set(I16_LE, 2L * i, FloatConversions.floatToBf16(src[i]));
                }
            }
            case F16 -> {
                for (int i = 0; i < n; i++) {
                    out.set(I16_LE, 2L * i, Float.floatToFloat16(src[i]));
                }
            }
            default -> throw new IllegalArgumentException(dtype + " is not a weight dtype");
        }
    }
}
