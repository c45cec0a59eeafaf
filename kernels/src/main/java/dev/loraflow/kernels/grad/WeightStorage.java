package dev.loraflow.kernels.grad;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Storage types of frozen weight matrices, and how a run of one row becomes floats. The bytes are first copied
 * in bulk (a memcpy), then converted in registers: BF16 with the Vector API, F16 with
 * {@link Float#float16ToFloat}, which C2 intrinsifies and vectorises on hardware with F16C.
 */
enum WeightStorage {
    F32(4), BF16(2), F16(2);

    static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final VectorSpecies<Float> F = Lanes.F;

    final int bytes;

    WeightStorage(int bytes) {
        this.bytes = bytes;
    }

    /** dst[dstOff..dstOff+count) = the count elements at byte byteOff of w; staging holds at least count shorts. */
    void widen(MemorySegment w, long byteOff, int count, float[] dst, int dstOff, short[] staging) {
        if (this == F32) {
            MemorySegment.copy(w, FLOAT, byteOff, dst, dstOff, count);
            return;
        }
        MemorySegment.copy(w, SHORT, byteOff, staging, 0, count);
        int i = 0;
        if (this == BF16) {
            // BF16 is the top half of an F32; the sign-extension bits of S2I are shifted out.
            for (int bound = F.loopBound(count); i < bound; i += F.length()) {
                ((IntVector) Lanes.shorts(staging, i).convertShape(VectorOperators.S2I, Lanes.I, 0))
                        .lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().intoArray(dst, dstOff + i);
            }
            for (; i < count; i++) {
                dst[dstOff + i] = Float.intBitsToFloat(staging[i] << 16);
            }
        } else {
            for (; i < count; i++) {
                dst[dstOff + i] = Float.float16ToFloat(staging[i]);
            }
        }
    }

    void checkBounds(MemorySegment w, long wOffset, int rows, int cols) {
        if (wOffset < 0 || wOffset + (long) rows * cols * bytes > w.byteSize()) {
            throw new IndexOutOfBoundsException(this + " W [" + rows + "][" + cols + "] at byte " + wOffset
                    + " exceeds segment of " + w.byteSize() + " bytes");
        }
    }
}
