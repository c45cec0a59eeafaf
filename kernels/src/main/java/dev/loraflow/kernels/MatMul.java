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
    /** Rows per block of the few-token path: 16 rows × 8192 F32 columns = 512 KiB, within L2. */
    private static final int L2_ROWS = 16;
    /**
     * Fewest tokens for which packing W for {@link Gemm} pays off: packing costs about as much as 30 tokens of
     * matvec from L2 (measured on 2048², Zen 4).
     */
    static final int GEMM_MIN_N = 32;

    private MatMul() {}

    public static void f32(MemorySegment w, long wOffset, int rows, int cols, float[] x, int xOff, float[] y, int yOff, int n, ThreadPool pool) {
        run(Dtype.F32, w, wOffset, rows, cols, x, xOff, y, yOff, n, pool,
                (r0, r1, xo, yo) -> MatVec.f32(w, wOffset, cols, x, xo, y, yo, r0, r1));
    }

    /** BF16 -> F32 is bits << 16. */
    public static void bf16(MemorySegment w, long wOffset, int rows, int cols, float[] x, int xOff, float[] y, int yOff, int n, ThreadPool pool) {
        run(Dtype.BF16, w, wOffset, rows, cols, x, xOff, y, yOff, n, pool,
                (r0, r1, xo, yo) -> MatVec.bf16(w, wOffset, cols, x, xo, y, yo, r0, r1));
    }

    /** IEEE half, {@link Float#float16ToFloat} semantics. */
    public static void f16(MemorySegment w, long wOffset, int rows, int cols, float[] x, int xOff, float[] y, int yOff, int n, ThreadPool pool) {
        run(Dtype.F16, w, wOffset, rows, cols, x, xOff, y, yOff, n, pool,
                (r0, r1, xo, yo) -> MatVec.f16(w, wOffset, cols, x, xo, y, yo, r0, r1));
    }

    /** W in {@link Q8_0} blocks (cols a multiple of 32). */
    public static void q8_0(MemorySegment w, long wOffset, int rows, int cols, float[] x, int xOff, float[] y, int yOff, int n, ThreadPool pool) {
        run(Dtype.Q8_0, w, wOffset, rows, cols, x, xOff, y, yOff, n, pool,
                (r0, r1, xo, yo) -> Q8_0.matvec(w, wOffset, cols, x, xo, y, yo, r0, r1));
    }

    /** y[yo + r] = W[r]·x[xo ..] for r in [r0, r1): one dtype's matvec with W, x and y bound. */
    @FunctionalInterface
    interface RowKernel {
        void rows(int r0, int r1, int xo, int yo);
    }

    /**
     * n == 1 runs the dtype's matvec over blocks of rows. Up to {@link #GEMM_MIN_N} tokens, the same matvec runs per
     * token over a block of W rows small enough to stay in L2, so W still streams from memory once and no packing is
     * paid; beyond that the packed {@link Gemm} wins. Each dtype passes its own lambda so every kernel call site
     * stays monomorphic (a shared one would stop C2 from scalarising the vectors).
     */
    private static void run(Dtype dtype, MemorySegment w, long wOffset, int rows, int cols, float[] x, int xOff,
                            float[] y, int yOff, int n, ThreadPool pool, RowKernel kernel) {
        checkBounds(dtype, w, wOffset, rows, cols, x, xOff, y, yOff, n);
        if (n == 1) {
            pool.parallelFor(blocks(rows, MATVEC_ROWS), (b0, b1) ->
                    kernel.rows(b0 * MATVEC_ROWS, Math.min(rows, b1 * MATVEC_ROWS), xOff, yOff));
        } else if (n < GEMM_MIN_N) {
            pool.parallelFor(blocks(rows, L2_ROWS), (b0, b1) -> {
                for (int r0 = b0 * L2_ROWS, end = Math.min(rows, b1 * L2_ROWS); r0 < end; r0 += L2_ROWS) {
                    for (int t = 0; t < n; t++) {
                        kernel.rows(r0, Math.min(end, r0 + L2_ROWS), xOff + t * cols, yOff + t * rows);
                    }
                }
            });
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
