package dev.loraflow.kernels;

import static jdk.incubator.vector.VectorOperators.LSHL;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Decode matvec kernels, y[r] = W[r]·x for r in [r0, r1), one method per storage type (the Vector API only
 * scalarises vectors in fully inlined, monomorphic code, so the load cannot be a parameter).
 * Several rows per step share each x load; a final short group repeats its last row and stores only the real ones.
 * The lane sums and the BF16 widening are written out here, not called: when a kernel's compilation reaches C2's
 * inlining node budget, C2 stops inlining our (non-{@code @ForceInline}) methods, and a vector passed to or returned
 * from such a call is boxed on the heap (seen with {@code -XX:-TieredCompilation}, and in some ordinary runs:
 * kilobytes per decoded token). The F32 and F16 loads still go through {@link Widen}'s helpers, each kernel's first
 * calls, which were inlined in every run measured, with and without tiered compilation.
 */
final class MatVec {
    private static final VectorSpecies<Float> F = Simd.F;
    private static final VectorSpecies<Integer> I = Simd.I;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final int HIGH_HALF = 0xFFFF0000;

    private MatVec() {}

    static void f32(MemorySegment w, long wOffset, int cols, float[] x, int xOff, float[] y, int yOff, int r0, int r1) {
        long rowBytes = 4L * cols;
        int bound = F.loopBound(cols);
        for (int r = r0; r < r1; r += 4) {
            long o0 = wOffset + r * rowBytes;
            long o1 = wOffset + Math.min(r + 1, r1 - 1) * rowBytes;
            long o2 = wOffset + Math.min(r + 2, r1 - 1) * rowBytes;
            long o3 = wOffset + Math.min(r + 3, r1 - 1) * rowBytes;
            FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
            for (int c = 0; c < bound; c += F.length()) {
                FloatVector xv = FloatVector.fromArray(F, x, xOff + c);
                long b = 4L * c;
                a0 = Widen.f32(w, o0 + b).fma(xv, a0);
                a1 = Widen.f32(w, o1 + b).fma(xv, a1);
                a2 = Widen.f32(w, o2 + b).fma(xv, a2);
                a3 = Widen.f32(w, o3 + b).fma(xv, a3);
            }
            for (VectorShuffle<Float> step : Reproducible.HALVES) { // lane sum by halves, written out
                a0 = a0.rearrange(step).add(a0);
                a1 = a1.rearrange(step).add(a1);
                a2 = a2.rearrange(step).add(a2);
                a3 = a3.rearrange(step).add(a3);
            }
            float s0 = a0.lane(0), s1 = a1.lane(0), s2 = a2.lane(0), s3 = a3.lane(0);
            for (int c = bound; c < cols; c++) {
                float xc = x[xOff + c];
                s0 = Math.fma(Widen.f32(w, o0, c), xc, s0);
                s1 = Math.fma(Widen.f32(w, o1, c), xc, s1);
                s2 = Math.fma(Widen.f32(w, o2, c), xc, s2);
                s3 = Math.fma(Widen.f32(w, o3, c), xc, s3);
            }
            store(y, yOff, r, r1, s0, s1, s2, s3);
        }
    }

    /**
     * The columns BF16 weights are read in: blocks of {@link #BF16_BLOCK} = two float vectors. One int-vector load
     * holds a block's weights in pairs; {@code i << 16} is the even-indexed ones, {@code i & 0xFFFF0000} the
     * odd-indexed ones, both exact floats, so the kernel needs x with each block's even lanes first and odd lanes
     * second ({@link #permuteBf16}). Why: the S2I widening of half a vector costs a load, a convert and a shift per
     * float vector, this a load per two plus a shift and an AND; the matvec is bound by how many bytes of weight loads
     * the core keeps in flight, which fewer instructions per byte raise (one thread, 5632×2048 from DRAM, thread CPU
     * time, the two kernels alternating in one process: median 1.10–1.18× the bytes per second of the S2I kernel over
     * six runs at load 3–6).
     */
    static final int BF16_BLOCK = 2 * F.length();

    /** Columns [0, cols rounded down to {@link #BF16_BLOCK}) of x, each block's even lanes then its odd lanes. */
    static void permuteBf16(float[] x, int xOff, int cols, float[] xp, int xpOff) {
        int half = F.length();
        for (int c = 0, bound = cols - cols % BF16_BLOCK; c < bound; c += BF16_BLOCK) {
            for (int j = 0; j < half; j++) {
                xp[xpOff + c + j] = x[xOff + c + 2 * j];
                xp[xpOff + c + half + j] = x[xOff + c + 2 * j + 1];
            }
        }
    }

    /**
     * xp is x permuted by {@link #permuteBf16} (read for the whole blocks), x is read for the remaining columns.
     * One accumulator per row, each block's two FMAs chained: separate even/odd accumulators (eight vectors) make C2
     * box them.
     */
    static void bf16(MemorySegment w, long wOffset, int cols, float[] x, int xOff, float[] xp, int xpOff,
                     float[] y, int yOff, int r0, int r1) {
        long rowBytes = 2L * cols;
        int half = F.length();
        int bound = cols - cols % BF16_BLOCK;
        for (int r = r0; r < r1; r += 4) {
            long o0 = wOffset + r * rowBytes;
            long o1 = wOffset + Math.min(r + 1, r1 - 1) * rowBytes;
            long o2 = wOffset + Math.min(r + 2, r1 - 1) * rowBytes;
            long o3 = wOffset + Math.min(r + 3, r1 - 1) * rowBytes;
            FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
            for (int c = 0; c < bound; c += BF16_BLOCK) {
                FloatVector even = FloatVector.fromArray(F, xp, xpOff + c);
                FloatVector odd = FloatVector.fromArray(F, xp, xpOff + c + half);
                long b = 2L * c;
                // Per row, written out (see class doc): even-indexed weights = pairs << 16, odd = pairs & 0xFFFF0000.
                IntVector p0 = IntVector.fromMemorySegment(I, w, o0 + b, LE);
                IntVector p1 = IntVector.fromMemorySegment(I, w, o1 + b, LE);
                IntVector p2 = IntVector.fromMemorySegment(I, w, o2 + b, LE);
                IntVector p3 = IntVector.fromMemorySegment(I, w, o3 + b, LE);
                a0 = p0.and(HIGH_HALF).reinterpretAsFloats().fma(odd, p0.lanewise(LSHL, 16).reinterpretAsFloats().fma(even, a0));
                a1 = p1.and(HIGH_HALF).reinterpretAsFloats().fma(odd, p1.lanewise(LSHL, 16).reinterpretAsFloats().fma(even, a1));
                a2 = p2.and(HIGH_HALF).reinterpretAsFloats().fma(odd, p2.lanewise(LSHL, 16).reinterpretAsFloats().fma(even, a2));
                a3 = p3.and(HIGH_HALF).reinterpretAsFloats().fma(odd, p3.lanewise(LSHL, 16).reinterpretAsFloats().fma(even, a3));
            }
            for (VectorShuffle<Float> step : Reproducible.HALVES) { // lane sum by halves, written out
                a0 = a0.rearrange(step).add(a0);
                a1 = a1.rearrange(step).add(a1);
                a2 = a2.rearrange(step).add(a2);
                a3 = a3.rearrange(step).add(a3);
            }
            float s0 = a0.lane(0), s1 = a1.lane(0), s2 = a2.lane(0), s3 = a3.lane(0);
            for (int c = bound; c < cols; c++) {
                float xc = x[xOff + c];
                s0 = Math.fma(Widen.bf16(w, o0, c), xc, s0);
                s1 = Math.fma(Widen.bf16(w, o1, c), xc, s1);
                s2 = Math.fma(Widen.bf16(w, o2, c), xc, s2);
                s3 = Math.fma(Widen.bf16(w, o3, c), xc, s3);
            }
            store(y, yOff, r, r1, s0, s1, s2, s3);
        }
    }

    /** Two rows per step: the half-to-float conversion is long enough that four inlined copies exceed C2's node budget. */
    static void f16(MemorySegment w, long wOffset, int cols, float[] x, int xOff, float[] y, int yOff, int r0, int r1) {
        long rowBytes = 2L * cols;
        int bound = F.loopBound(cols);
        for (int r = r0; r < r1; r += 2) {
            long o0 = wOffset + r * rowBytes;
            long o1 = wOffset + Math.min(r + 1, r1 - 1) * rowBytes;
            FloatVector a0 = FloatVector.zero(F), a1 = a0;
            for (int c = 0; c < bound; c += F.length()) {
                FloatVector xv = FloatVector.fromArray(F, x, xOff + c);
                long b = 2L * c;
                a0 = Widen.f16(w, o0 + b).fma(xv, a0);
                a1 = Widen.f16(w, o1 + b).fma(xv, a1);
            }
            for (VectorShuffle<Float> step : Reproducible.HALVES) { // lane sum by halves, written out
                a0 = a0.rearrange(step).add(a0);
                a1 = a1.rearrange(step).add(a1);
            }
            float s0 = a0.lane(0), s1 = a1.lane(0);
            for (int c = bound; c < cols; c++) {
                float xc = x[xOff + c];
                s0 = Math.fma(Widen.f16(w, o0, c), xc, s0);
                s1 = Math.fma(Widen.f16(w, o1, c), xc, s1);
            }
            y[yOff + r] = s0;
            if (r + 1 < r1) {
                y[yOff + r + 1] = s1;
            }
        }
    }

    /** Stores the sums of rows r..r+3 that lie below r1. */
    private static void store(float[] y, int yOff, int r, int r1, float s0, float s1, float s2, float s3) {
        y[yOff + r] = s0;
        if (r + 1 < r1) {
            y[yOff + r + 1] = s1;
        }
        if (r + 2 < r1) {
            y[yOff + r + 2] = s2;
        }
        if (r + 3 < r1) {
            y[yOff + r + 3] = s3;
        }
    }
}
