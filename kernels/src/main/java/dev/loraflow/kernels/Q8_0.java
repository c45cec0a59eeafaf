package dev.loraflow.kernels;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Q8_0 weights, byte-compatible with GGML/GGUF {@code block_q8_0}: each run of {@link #BLOCK} = 32 consecutive values
 * of a row is stored as {@link #BLOCK_BYTES} = 34 bytes, a little-endian IEEE-half scale {@code d} followed by 32
 * signed bytes {@code q}; value = d · q. A row of {@code cols} values (cols a multiple of 32) is cols/32 blocks and
 * rows follow each other with no padding. Quantising picks d = max|v| / 127 and q = round(v / d).
 */
public final class Q8_0 {
    public static final int BLOCK = 32;
    public static final int BLOCK_BYTES = 2 + BLOCK;

    private static final VectorSpecies<Float> F = Simd.F;
    /** Bytes per load: as many as float lanes, but at least the 64-bit minimum vector shape. */
    private static final VectorSpecies<Byte> B = VectorSpecies.of(byte.class, VectorShape.forBitSize(Math.max(64, Simd.LANES * 8)));
    /** Float vectors per byte load (1 unless floats are 128-bit). */
    private static final int PARTS = B.length() / F.length();

    private Q8_0() {}

    /** Bytes of a [rows][cols] Q8_0 matrix. */
    public static long bytes(int rows, int cols) {
        return (long) rows * rowBytes(cols);
    }

    static long rowBytes(int cols) {
        checkCols(cols);
        return (long) (cols / BLOCK) * BLOCK_BYTES;
    }

    static void checkCols(int cols) {
        if (cols % BLOCK != 0) {
            throw new IllegalArgumentException("Q8_0 needs a multiple of " + BLOCK + " values per row, got " + cols);
        }
    }

    /** Quantises src[srcOff .. srcOff+count) (count a multiple of 32) into blocks at byte dstOffset of dst. */
    public static void quantize(float[] src, int srcOff, int count, MemorySegment dst, long dstOffset) {
        checkCols(count);
        for (int b = 0; b < count / BLOCK; b++) {
            int s = srcOff + b * BLOCK;
            float amax = 0;
            for (int i = 0; i < BLOCK; i++) {
                amax = Math.max(amax, Math.abs(src[s + i]));
            }
            float d = amax / 127f;
            float inv = d == 0 ? 0 : 1 / d;
            long o = dstOffset + (long) b * BLOCK_BYTES;
            dst.set(Widen.SHORT, o, Float.floatToFloat16(d));
            for (int i = 0; i < BLOCK; i++) {
                dst.set(ValueLayout.JAVA_BYTE, o + 2 + i, (byte) Math.round(src[s + i] * inv));
            }
        }
    }

    /** dst[dstOff .. dstOff+count) = the count values (a multiple of 32) whose blocks start at byte srcOffset. */
    public static void dequantize(MemorySegment src, long srcOffset, int count, float[] dst, int dstOff) {
        checkCols(count);
        for (int b = 0; b < count / BLOCK; b++) {
            long o = srcOffset + (long) b * BLOCK_BYTES;
            FloatVector d = FloatVector.broadcast(F, scale(src, o));
            for (int j = 0; j < BLOCK; j += B.length()) {
                ByteVector q = ByteVector.fromMemorySegment(B, src, o + 2 + j, java.nio.ByteOrder.LITTLE_ENDIAN);
                for (int p = 0; p < PARTS; p++) {
                    ((FloatVector) q.convertShape(VectorOperators.B2F, F, p)).mul(d)
                            .intoArray(dst, dstOff + b * BLOCK + j + p * F.length());
                }
            }
        }
    }

    static float scale(MemorySegment w, long blockOffset) {
        return Float.float16ToFloat(w.get(Widen.SHORT, blockOffset));
    }

    static float value(MemorySegment w, long rowOffset, int col) {
        long block = rowOffset + (long) (col / BLOCK) * BLOCK_BYTES;
        return scale(w, block) * w.get(ValueLayout.JAVA_BYTE, block + 2 + col % BLOCK);
    }

    /**
     * Decode matvec rows [r0, r1): two rows per step share the x loads; per block the 32 products accumulate
     * unscaled, then one FMA applies the block's scale.
     */
    static void matvec(MemorySegment w, long wOffset, int cols, float[] x, int xOff, float[] y, int yOff, int r0, int r1) {
        long rowBytes = rowBytes(cols);
        int blocks = cols / BLOCK;
        for (int r = r0; r < r1; r += 2) {
            long o0 = wOffset + r * rowBytes;
            long o1 = wOffset + Math.min(r + 1, r1 - 1) * rowBytes;
            FloatVector a0 = FloatVector.zero(F), a1 = a0;
            for (int b = 0; b < blocks; b++) {
                long q0 = o0 + (long) b * BLOCK_BYTES;
                long q1 = o1 + (long) b * BLOCK_BYTES;
                FloatVector s0 = FloatVector.zero(F), s1 = s0;
                for (int j = 0; j < BLOCK; j += B.length()) {
                    ByteVector v0 = ByteVector.fromMemorySegment(B, w, q0 + 2 + j, java.nio.ByteOrder.LITTLE_ENDIAN);
                    ByteVector v1 = ByteVector.fromMemorySegment(B, w, q1 + 2 + j, java.nio.ByteOrder.LITTLE_ENDIAN);
                    for (int p = 0; p < PARTS; p++) {
                        FloatVector xv = FloatVector.fromArray(F, x, xOff + b * BLOCK + j + p * F.length());
                        s0 = ((FloatVector) v0.convertShape(VectorOperators.B2F, F, p)).fma(xv, s0);
                        s1 = ((FloatVector) v1.convertShape(VectorOperators.B2F, F, p)).fma(xv, s1);
                    }
                }
                a0 = s0.fma(FloatVector.broadcast(F, scale(w, q0)), a0);
                a1 = s1.fma(FloatVector.broadcast(F, scale(w, q1)), a1);
            }
            y[yOff + r] = Reproducible.sum(a0);
            if (r + 1 < r1) {
                y[yOff + r + 1] = Reproducible.sum(a1);
            }
        }
    }
}
