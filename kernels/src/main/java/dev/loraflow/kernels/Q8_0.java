package dev.loraflow.kernels;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Q8_0 weights: the numbers of GGML's {@code block_q8_0} (each run of {@link #BLOCK} = 32 values of a row is 32
 * signed bytes q and an IEEE-half scale d, value = d · q, with d = max|v| / 127 and q = round(v / d)), stored row by
 * row as two planes: a row of {@code cols} values (cols a multiple of 32) is its cols int8 quants followed by its
 * cols/32 scales, each the half-precision d widened (exactly) to an F32, {@code rowBytes = cols · 36/32}: 6 % more
 * than GGML's 34/32, the same values.
 *
 * <p>Why not GGML's interleaved 34-byte blocks: with the quants of a row contiguous, vector loads no longer start
 * at odd offsets 34 bytes apart. Streaming 5632×2048 matrices from DRAM on one thread, the two-row matvec ran 1.8×
 * faster over this layout than the same-shaped kernel over interleaved blocks (11–12.5 vs 6.2–6.8 GB/s, alternating
 * in one process, thread CPU time). Q8_0 weights are only made at load time, so the layout is ours.
 *
 * <p>Why F32 scales: the matvec is bound by instructions, not bytes; a half scale costs a load, a conversion and a
 * broadcast per block and row, an F32 one a single broadcast load. Over the same quants (5632×2048, one thread,
 * thread CPU time, alternating in one process) the matvec with F32 scales did 1.38× the rows per second.
 */
public final class Q8_0 {
    public static final int BLOCK = 32;
    /** Bytes per block: 32 quants and a 4-byte scale (GGML: 2-byte). */
    public static final int BLOCK_BYTES = 4 + BLOCK;

    private static final VectorSpecies<Float> F = Simd.F;
    /** Bytes per load: as many as float lanes, but at least the 64-bit minimum vector shape. */
    private static final VectorSpecies<Byte> B = VectorSpecies.of(byte.class, VectorShape.forBitSize(Math.max(64, Simd.LANES * 8)));
    /** Float vectors per byte load (1 unless floats are 128-bit). */
    private static final int PARTS = B.length() / F.length();
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final int VECTORS_PER_BLOCK = BLOCK / F.length();
    private static final VectorSpecies<Integer> I = Simd.I;
    /** Bytes with as many lanes as a float vector, for storing quants; null when that is under 64 bits (128-bit floats). */
    private static final VectorSpecies<Byte> Q = F.length() >= 8 ? VectorSpecies.of(byte.class, VectorShape.forBitSize(F.length() * 8)) : null;

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

    /** Byte offset, within a row of cols values, of the scale of the block holding column col. */
    private static long scaleOffset(int cols, int col) {
        return cols + 4L * (col / BLOCK);
    }

    /**
     * Quantises the row src[srcOff .. srcOff+cols) (cols a multiple of 32) into the row starting at byte rowOffset
     * of dst: per block d = max|v| / 127 (stored in half precision, as GGML) and q = v / d rounded half away from
     * zero (C's {@code roundf}, as GGML).
     */
    public static void quantize(float[] src, int srcOff, int cols, MemorySegment dst, long rowOffset) {
        checkCols(cols);
        if (Q == null) {
            quantizeReference(src, srcOff, cols, dst, rowOffset);
            return;
        }
        for (int b = 0; b < cols / BLOCK; b++) {
            int s = srcOff + b * BLOCK;
            FloatVector max = FloatVector.zero(F);
            for (int i = 0; i < BLOCK; i += F.length()) {
                max = FloatVector.fromArray(F, src, s + i).abs().max(max); // fresh receiver: see VectorMath.max
            }
            float d = max.reduceLanes(VectorOperators.MAX) / 127f; // max is exact in any order
            float inv = d == 0 ? 0 : 1 / d;
            dst.set(Widen.FLOAT, rowOffset + scaleOffset(cols, b * BLOCK), Float.float16ToFloat(Float.floatToFloat16(d)));
            for (int i = 0; i < BLOCK; i += F.length()) {
                FloatVector v = FloatVector.fromArray(F, src, s + i).mul(inv);
                IntVector t = (IntVector) v.convert(VectorOperators.F2I, 0); // toward zero, exact for |v| <= 127
                VectorMask<Float> half = v.sub((FloatVector) t.convert(VectorOperators.I2F, 0)).abs().compare(VectorOperators.GE, 0.5f);
                IntVector away = t.add(1, half.and(v.compare(VectorOperators.GT, 0f)).cast(I))
                        .sub(1, half.and(v.compare(VectorOperators.LT, 0f)).cast(I));
                away.convertShape(VectorOperators.I2B, Q, 0).reinterpretAsBytes()
                        .intoMemorySegment(dst, rowOffset + b * BLOCK + i, LE);
            }
        }
    }

    /** Scalar twin of {@link #quantize}. */
    static void quantizeReference(float[] src, int srcOff, int cols, MemorySegment dst, long rowOffset) {
        checkCols(cols);
        for (int b = 0; b < cols / BLOCK; b++) {
            int s = srcOff + b * BLOCK;
            float amax = 0;
            for (int i = 0; i < BLOCK; i++) {
                amax = Math.max(amax, Math.abs(src[s + i]));
            }
            float d = amax / 127f;
            float inv = d == 0 ? 0 : 1 / d;
            dst.set(Widen.FLOAT, rowOffset + scaleOffset(cols, b * BLOCK), Float.float16ToFloat(Float.floatToFloat16(d)));
            for (int i = 0; i < BLOCK; i++) {
                float v = src[s + i] * inv;
                dst.set(ValueLayout.JAVA_BYTE, rowOffset + b * BLOCK + i, (byte) (Math.signum(v) * Math.floor(Math.abs((double) v) + 0.5)));
            }
        }
    }

    /** dst[dstOff .. dstOff+cols) = the whole row of cols values starting at byte rowOffset. */
    public static void dequantize(MemorySegment src, long rowOffset, int cols, float[] dst, int dstOff) {
        dequantize(src, rowOffset, cols, 0, cols, dst, dstOff);
    }

    /**
     * dst[dstOff .. dstOff+count) = columns [col, col+count) of the row of cols values starting at byte rowOffset;
     * col and count are multiples of 32.
     */
    public static void dequantize(MemorySegment src, long rowOffset, int cols, int col, int count, float[] dst, int dstOff) {
        checkCols(cols);
        checkCols(col);
        checkCols(count);
        for (int c = col; c < col + count; c += BLOCK) {
            FloatVector d = FloatVector.broadcast(F, scale(src, rowOffset, cols, c));
            for (int k = 0; k < VECTORS_PER_BLOCK; k++) {
                ByteVector q = ByteVector.fromMemorySegment(B, src, rowOffset + c + k / PARTS * B.length(), LE);
                ((FloatVector) q.convertShape(VectorOperators.B2F, F, k % PARTS)).mul(d).intoArray(dst, dstOff + c - col + k * F.length());
            }
        }
    }

    /** The scale of the block holding column col of the row of cols values at byte rowOffset. */
    static float scale(MemorySegment w, long rowOffset, int cols, int col) {
        return w.get(Widen.FLOAT, rowOffset + scaleOffset(cols, col));
    }

    /** One value, scalar: the reference the vector kernels are tested against. */
    static float value(MemorySegment w, long rowOffset, int cols, int col) {
        return scale(w, rowOffset, cols, col) * w.get(ValueLayout.JAVA_BYTE, rowOffset + col);
    }

    /**
     * Decode matvec rows [r0, r1), two rows per step sharing each x load (a short last pair repeats its row and
     * stores it once). Per block the 32 products accumulate unscaled, then one FMA applies the block's scale.
     * Two rows, not four: four were no faster streaming from DRAM on one thread (11–13 GB/s either way, measured
     * with F16 scales), and with F32 scales and the lane sums written out they were slower on two threads (JMH
     * {@code MatMulKernelBenchmark.matvec}, alternating: 31.7 and 27.0 against 35.4 and 34.0 GB/s).
     */
    static void matvec(MemorySegment w, long wOffset, int cols, float[] x, int xOff, float[] y, int yOff, int r0, int r1) {
        long rowBytes = rowBytes(cols);
        int blocks = cols / BLOCK;
        for (int r = r0; r < r1; r += 2) {
            long o0 = wOffset + r * rowBytes;
            long o1 = wOffset + Math.min(r + 1, r1 - 1) * rowBytes;
            FloatVector a0 = FloatVector.zero(F), a1 = a0;
            for (int b = 0; b < blocks; b++) {
                int c = b * BLOCK;
                FloatVector xv = FloatVector.fromArray(F, x, xOff + c);
                // Bytes to floats written out rather than in a method returning a vector (see MatVec).
                FloatVector s0 = ((FloatVector) ByteVector.fromMemorySegment(B, w, o0 + c, LE).convertShape(VectorOperators.B2F, F, 0)).mul(xv);
                FloatVector s1 = ((FloatVector) ByteVector.fromMemorySegment(B, w, o1 + c, LE).convertShape(VectorOperators.B2F, F, 0)).mul(xv);
                for (int k = 1; k < VECTORS_PER_BLOCK; k++) {
                    int j = k / PARTS * B.length();
                    int p = k % PARTS;
                    xv = FloatVector.fromArray(F, x, xOff + c + k * F.length());
                    s0 = ((FloatVector) ByteVector.fromMemorySegment(B, w, o0 + c + j, LE).convertShape(VectorOperators.B2F, F, p)).fma(xv, s0);
                    s1 = ((FloatVector) ByteVector.fromMemorySegment(B, w, o1 + c + j, LE).convertShape(VectorOperators.B2F, F, p)).fma(xv, s1);
                }
                a0 = s0.fma(FloatVector.broadcast(F, scale(w, o0, cols, c)), a0);
                a1 = s1.fma(FloatVector.broadcast(F, scale(w, o1, cols, c)), a1);
            }
            for (VectorShuffle<Float> step : Reproducible.HALVES) { // lane sum by halves (see MatVec)
                a0 = a0.rearrange(step).add(a0);
                a1 = a1.rearrange(step).add(a1);
            }
            y[yOff + r] = a0.lane(0);
            if (r + 1 < r1) {
                y[yOff + r + 1] = a1.lane(0);
            }
        }
    }
}
