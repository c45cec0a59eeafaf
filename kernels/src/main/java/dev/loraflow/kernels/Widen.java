package dev.loraflow.kernels;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
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
     * IEEE half to float without a lookup table or masks. Shifting the sign-extended half left by 13 puts the sign at
     * bit 31 and exponent+mantissa at float bits 13..27; multiplying by 2^112 rebases the exponent exactly,
     * subnormals included. Infinities and NaNs (half exponent 31, so em + 0x400 carries into bit 15) first get an
     * all-ones float exponent, which the multiply leaves infinite or turns into a quiet NaN with the payload kept,
     * exactly as {@link Float#float16ToFloat} does. (Compare+blend would read shorter, but its mask nodes push
     * multi-row kernels past C2's inlining node budget and the vectors get boxed.)
     */
    static FloatVector f16(MemorySegment w, long byteOff) {
        IntVector h = (IntVector) ShortVector.fromMemorySegment(Simd.S, w, byteOff, LE).convertShape(VectorOperators.S2I, Simd.I, 0);
        IntVector special = h.and(0x7fff).add(0x400)
                .lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 8).and(0x7f800000);
        return h.lanewise(VectorOperators.LSHL, 13).and(0x8FFFE000).or(special).reinterpretAsFloats().mul(0x1p112f);
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
