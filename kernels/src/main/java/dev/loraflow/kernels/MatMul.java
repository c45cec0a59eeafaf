package dev.loraflow.kernels;

import java.lang.foreign.MemorySegment;

/**
 * Y[t][rows] = X[t][cols] · W^T for t in [0,n): W row-major [rows][cols] starting at byte offset wOffset of w,
 * x[xOff + t*cols + c], y[yOff + t*rows + r]. Overwrites y. n == 1 is the decode matvec.
 *
 * <p>The matvec ({@link MatVec}) streams W once, several rows at a time so each x vector load feeds independent FMA
 * chains. For n > 1, {@link Gemm} widens and packs blocks of W to F32 once and reuses them for every token.
 */
public final class MatMul {
    /** Rows per parallel work item of the matvec. */
    private static final int MATVEC_ROWS = 4;

    private MatMul() {}

    public static void f32(MemorySegment w, long wOffset, int rows, int cols, float[] x, int xOff, float[] y, int yOff, int n, ThreadPool pool) {
        run(Dtype.F32, w, wOffset, rows, cols, x, xOff, y, yOff, n, pool,
                (b0, b1) -> MatVec.f32(w, wOffset, cols, x, xOff, y, yOff, b0 * MATVEC_ROWS, Math.min(rows, b1 * MATVEC_ROWS)));
    }

    /** BF16 -> F32 is bits << 16. */
    public static void bf16(MemorySegment w, long wOffset, int rows, int cols, float[] x, int xOff, float[] y, int yOff, int n, ThreadPool pool) {
        run(Dtype.BF16, w, wOffset, rows, cols, x, xOff, y, yOff, n, pool,
                (b0, b1) -> MatVec.bf16(w, wOffset, cols, x, xOff, y, yOff, b0 * MATVEC_ROWS, Math.min(rows, b1 * MATVEC_ROWS)));
    }

    /** IEEE half, {@link Float#float16ToFloat} semantics. */
    public static void f16(MemorySegment w, long wOffset, int rows, int cols, float[] x, int xOff, float[] y, int yOff, int n, ThreadPool pool) {
        run(Dtype.F16, w, wOffset, rows, cols, x, xOff, y, yOff, n, pool,
                (b0, b1) -> MatVec.f16(w, wOffset, cols, x, xOff, y, yOff, b0 * MATVEC_ROWS, Math.min(rows, b1 * MATVEC_ROWS)));
    }

    /** W in {@link Q8_0} blocks (cols a multiple of 32). */
    public static void q8_0(MemorySegment w, long wOffset, int rows, int cols, float[] x, int xOff, float[] y, int yOff, int n, ThreadPool pool) {
        run(Dtype.Q8_0, w, wOffset, rows, cols, x, xOff, y, yOff, n, pool,
                (b0, b1) -> Q8_0.matvec(w, wOffset, cols, x, xOff, y, yOff, b0 * MATVEC_ROWS, Math.min(rows, b1 * MATVEC_ROWS)));
    }

    /**
     * n == 1 runs {@code matvec} over blocks of {@link #MATVEC_ROWS} rows; each dtype passes its own lambda so every
     * kernel call site stays monomorphic (a shared call site would stop C2 from scalarising the vectors).
     */
    private static void run(Dtype dtype, MemorySegment w, long wOffset, int rows, int cols, float[] x, int xOff,
                            float[] y, int yOff, int n, ThreadPool pool, RangeTask matvec) {
        checkBounds(dtype, w, wOffset, rows, cols, x, xOff, y, yOff, n);
        if (n == 1) {
            pool.parallelFor(blocks(rows, MATVEC_ROWS), matvec);
        } else if (n > 1) {
            Gemm.run(dtype, w, wOffset, rows, cols, x, xOff, y, yOff, n, pool);
        }
    }

    static int blocks(int count, int per) {
        return (count + per - 1) / per;
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
