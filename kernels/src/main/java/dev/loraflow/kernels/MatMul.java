package dev.loraflow.kernels;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.VectorSpecies;

/**
 * Y[t][rows] = X[t][cols] · W^T for t in [0,n): W row-major [rows][cols] starting at byte offset wOffset of w,
 * x[xOff + t*cols + c], y[yOff + t*rows + r]. Overwrites y. n == 1 is the decode matvec.
 *
 * <p>The matvec ({@link MatVec}) streams W once, several rows at a time so each x vector load feeds independent FMA
 * chains. For n > 1, {@link Gemm} widens and packs blocks of W to F32 once and reuses them for every token.
 */
public final class MatMul {
    private static final VectorSpecies<Float> F = Simd.F;
    /** Rows per parallel work item of the matvec. */
    private static final int MATVEC_ROWS = 4;

    private MatMul() {}

    public static void f32(MemorySegment w, long wOffset, int rows, int cols, float[] x, int xOff, float[] y, int yOff, int n, ThreadPool pool) {
        checkBounds(Dtype.F32, w, wOffset, rows, cols, x, xOff, y, yOff, n);
        if (n == 1) {
            pool.parallelFor(blocks(rows, MATVEC_ROWS), (b0, b1) ->
                    MatVec.f32(w, wOffset, cols, x, xOff, y, yOff, b0 * MATVEC_ROWS, Math.min(rows, b1 * MATVEC_ROWS)));
        } else {
            gemm(Dtype.F32, w, wOffset, rows, cols, x, xOff, y, yOff, n, pool);
        }
    }

    public static void bf16(MemorySegment w, long wOffset, int rows, int cols, float[] x, int xOff, float[] y, int yOff, int n, ThreadPool pool) {
        checkBounds(Dtype.BF16, w, wOffset, rows, cols, x, xOff, y, yOff, n);
        if (n == 1) {
            pool.parallelFor(blocks(rows, MATVEC_ROWS), (b0, b1) ->
                    MatVec.bf16(w, wOffset, cols, x, xOff, y, yOff, b0 * MATVEC_ROWS, Math.min(rows, b1 * MATVEC_ROWS)));
        } else {
            gemm(Dtype.BF16, w, wOffset, rows, cols, x, xOff, y, yOff, n, pool);
        }
    }

    public static void f16(MemorySegment w, long wOffset, int rows, int cols, float[] x, int xOff, float[] y, int yOff, int n, ThreadPool pool) {
        checkBounds(Dtype.F16, w, wOffset, rows, cols, x, xOff, y, yOff, n);
        if (n == 1) {
            pool.parallelFor(blocks(rows, MATVEC_ROWS), (b0, b1) ->
                    MatVec.f16(w, wOffset, cols, x, xOff, y, yOff, b0 * MATVEC_ROWS, Math.min(rows, b1 * MATVEC_ROWS)));
        } else {
            gemm(Dtype.F16, w, wOffset, rows, cols, x, xOff, y, yOff, n, pool);
        }
    }

    /** W in {@link Q8_0} blocks (cols a multiple of 32). */
    public static void q8_0(MemorySegment w, long wOffset, int rows, int cols, float[] x, int xOff, float[] y, int yOff, int n, ThreadPool pool) {
        checkBounds(Dtype.Q8_0, w, wOffset, rows, cols, x, xOff, y, yOff, n);
        if (n == 1) {
            pool.parallelFor(blocks(rows, MATVEC_ROWS), (b0, b1) ->
                    Q8_0.matvec(w, wOffset, cols, x, xOff, y, yOff, b0 * MATVEC_ROWS, Math.min(rows, b1 * MATVEC_ROWS)));
        } else {
            gemm(Dtype.Q8_0, w, wOffset, rows, cols, x, xOff, y, yOff, n, pool);
        }
    }

    static int blocks(int count, int per) {
        return (count + per - 1) / per;
    }

    private static void gemm(Dtype dtype, MemorySegment w, long wOffset, int rows, int cols,
                             float[] x, int xOff, float[] y, int yOff, int n, ThreadPool pool) {
        Gemm.run(dtype, w, wOffset, rows, cols, x, xOff, y, yOff, n, pool);
    }

    private static void checkBounds(Dtype dtype, MemorySegment w, long wOffset, int rows, int cols,
                                    float[] x, int xOff, float[] y, int yOff, int n) {
        if (rows < 0 || cols < 0 || n < 0) {
            throw new IllegalArgumentException("negative shape: rows=" + rows + " cols=" + cols + " n=" + n);
        }
        if (wOffset < 0 || wOffset + dtype.offset(rows, cols, 0) > w.byteSize()) {
            throw new IndexOutOfBoundsException("W [" + rows + "][" + cols + "] at byte " + wOffset + " exceeds segment of " + w.byteSize());
        }
        if (xOff < 0 || xOff + (long) n * cols > x.length) {
            throw new IndexOutOfBoundsException("x too short for n=" + n + " cols=" + cols + " at " + xOff);
        }
        if (yOff < 0 || yOff + (long) n * rows > y.length) {
            throw new IndexOutOfBoundsException("y too short for n=" + n + " rows=" + rows + " at " + yOff);
        }
    }
}
