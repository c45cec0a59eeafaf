package dev.loraflow.kernels;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/** Loads {@link Simd#LANES} weights of each storage type from a segment as one float vector, and scalar twins. */
final class Widen {
    static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    private Widen() {}

    static FloatVector f32(MemorySegment w, long byteOff) {
        return FloatVector.fromMemorySegment(Simd.F, w, byteOff, LE);
    }

    /** BF16 is the top half of an F32: sign-extend to int (the extension bits are shifted out) and shift left 16. */
    static FloatVector bf16(MemorySegment w, long byteOff) {
        ShortVector s = ShortVector.fromMemorySegment(Simd.S, w, byteOff, LE);
        return ((IntVector) s.convertShape(VectorOperators.S2I, Simd.I, 0)).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
    }

    /**
     * IEEE half to float without a lookup table: placing the 15 exponent+mantissa bits at float position 13 and
     * multiplying by 2^112 rebases the exponent exactly, subnormals included; infinities and NaNs (exponent 31) are
     * patched to an all-ones float exponent, then the sign is ORed back. Matches {@link Float#float16ToFloat}.
     */
    static FloatVector f16(MemorySegment w, long byteOff) {
        ShortVector s = ShortVector.fromMemorySegment(Simd.S, w, byteOff, LE);
        return f16Bits((IntVector) s.convertShape(VectorOperators.ZERO_EXTEND_S2I, Simd.I, 0));
    }

    static FloatVector f16Bits(IntVector h) {
        IntVector em = h.and(0x7fff);
        IntVector shifted = em.lanewise(VectorOperators.LSHL, 13);
        IntVector bits = shifted.reinterpretAsFloats().mul(0x1p112f).reinterpretAsInts();
        VectorMask<Integer> special = em.compare(VectorOperators.GE, 0x7c00);
        bits = bits.blend(shifted.or(0x7f800000), special);
        return bits.or(h.and(0x8000).lanewise(VectorOperators.LSHL, 16)).reinterpretAsFloats();
    }

    static float f32(MemorySegment w, long byteOff, long index) {
        return w.get(FLOAT, byteOff + 4 * index);
    }

    static float bf16(MemorySegment w, long byteOff, long index) {
        return Float.intBitsToFloat(w.get(SHORT, byteOff + 2 * index) << 16);
    }

    static float f16(MemorySegment w, long byteOff, long index) {
        return Float.float16ToFloat(w.get(SHORT, byteOff + 2 * index));
    }
}
