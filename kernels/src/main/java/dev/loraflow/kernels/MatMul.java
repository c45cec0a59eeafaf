package dev.loraflow.kernels;

import java.lang.foreign.MemorySegment;

/**
 * Y[t][rows] = X[t][cols] · W^T for t in [0,n): W row-major [rows][cols] starting at byte offset wOffset of w,
 * x[xOff + t*cols + c], y[yOff + t*rows + r]. Overwrites y. n == 1 is the decode matvec.
 *
 * <p>The matvec ({@link MatVec}) streams W once, several rows at a time so each x vector load feeds independent FMA
 * chains. From {@link #GEMM_MIN_N} tokens, {@link Gemm} widens W to F32 (once per block of up to 256 tokens) and
 * reuses it for every token of the block; below that, each token runs the matvec over blocks of W rows small enough
 * to stay in L2.
 */
public final class MatMul {
    /** Rows per parallel work item of the matvec. */
    private static final int MATVEC_ROWS = 4;
    /** Rows per block of the few-token path: 16 rows × 8192 F32 columns = 512 KiB, within L2. */
    private static final int L2_ROWS = 16;
    /**
     * Fewest tokens for which {@link Gemm} beats the per-token matvec over L2-sized row blocks (JMH
     * {@code MatMulKernelBenchmark.prefill}, BF16 5632×2048, 2 threads, alternating: 16 tokens 120–123 against
     * 140–141 GFLOP/s, 24 tokens 164–175 against 143–148).
     */
    static final int GEMM_MIN_N = 24;

    private MatMul() {}

    /** Each thread's reusable row tasks, so a call allocates nothing (see {@link RowTask}). */
    private static final ThreadLocal<Tasks> TASKS = ThreadLocal.withInitial(Tasks::new);

    public static void f32(MemorySegment w, long wOffset, int rows, int cols, float[] x, int xOff, float[] y, int yOff, int n, ThreadPool pool) {
        if (gemm(Dtype.F32, w, wOffset, rows, cols, x, xOff, y, yOff, n, pool)) {
            return;
        }
        Tasks mine = TASKS.get();
        RowTask task = mine.f32.busy ? new F32Rows() : mine.f32;
        task.runOn(pool, w, wOffset, rows, cols, x, xOff, y, yOff, n);
    }

    /** BF16 -> F32 is bits << 16. */
    public static void bf16(MemorySegment w, long wOffset, int rows, int cols, float[] x, int xOff, float[] y, int yOff, int n, ThreadPool pool) {
        if (gemm(Dtype.BF16, w, wOffset, rows, cols, x, xOff, y, yOff, n, pool)) {
            return;
        }
        Tasks mine = TASKS.get();
        RowTask task = mine.bf16.busy ? new Bf16Rows() : mine.bf16;
        task.runOn(pool, w, wOffset, rows, cols, x, xOff, y, yOff, n);
    }

    /** IEEE half, {@link Float#float16ToFloat} semantics. */
    public static void f16(MemorySegment w, long wOffset, int rows, int cols, float[] x, int xOff, float[] y, int yOff, int n, ThreadPool pool) {
        if (gemm(Dtype.F16, w, wOffset, rows, cols, x, xOff, y, yOff, n, pool)) {
            return;
        }
        Tasks mine = TASKS.get();
        RowTask task = mine.f16.busy ? new F16Rows() : mine.f16;
        task.runOn(pool, w, wOffset, rows, cols, x, xOff, y, yOff, n);
    }

    /** W in {@link Q8_0} blocks (cols a multiple of 32). */
    public static void q8_0(MemorySegment w, long wOffset, int rows, int cols, float[] x, int xOff, float[] y, int yOff, int n, ThreadPool pool) {
        if (gemm(Dtype.Q8_0, w, wOffset, rows, cols, x, xOff, y, yOff, n, pool)) {
            return;
        }
        Tasks mine = TASKS.get();
        RowTask task = mine.q8_0.busy ? new Q8_0Rows() : mine.q8_0;
        task.runOn(pool, w, wOffset, rows, cols, x, xOff, y, yOff, n);
    }

    /**
     * Whether the fused kernels ({@link #swiGlu}, {@link #sameInput}) take a call of n tokens: a prompt or training
     * batch, where they beat separate products.
     */
    public static boolean fusesPrompt(int n) {
        return n >= GEMM_MIN_N && n <= Gemm.TOKEN_LANES_MAX_N;
    }

    /**
     * y[t] = down · (silu(gate · x[t]) ⊙ (up · x[t])) for t in [0,n), the MLP of a Llama layer, its three matrices in one
     * dtype from byte 0 of their segments: gate and up [inter][hidden], down [hidden][inter]. Overwrites y. Only for n
     * where {@link #fusesPrompt} holds: otherwise run the three products and {@link VectorMath#siluMul} (how the fused pass works: see
     * {@link Gemm#swiGlu}).
     */
    public static void swiGlu(Dtype dtype, MemorySegment gate, MemorySegment up, MemorySegment down, int hidden, int inter,
                              float[] x, int xOff, float[] y, int yOff, int n, ThreadPool pool) {
        checkFuses(n);
        checkWeight(dtype, gate, 0, inter, hidden);
        checkWeight(dtype, up, 0, inter, hidden);
        checkWeight(dtype, down, 0, hidden, inter);
        if (xOff < 0 || xOff + (long) n * hidden > x.length) {
            throw new IndexOutOfBoundsException("x too short for n=" + n + " hidden=" + hidden + " at " + xOff);
        }
        if (yOff < 0 || yOff + (long) n * hidden > y.length) {
            throw new IndexOutOfBoundsException("y too short for n=" + n + " hidden=" + hidden + " at " + yOff);
        }
        if (hidden == 0 || inter == 0) {
            java.util.Arrays.fill(y, yOff, yOff + n * hidden, 0f);
            return;
        }
        Gemm.swiGlu(dtype, gate, 0, up, 0, down, 0, hidden, inter, x, xOff, y, yOff, n, pool);
    }

    /**
     * y[m][t][r] = W_m x[t] for matrices of one dtype and width that read the same x (a layer's Q, K and V), each from
     * byte 0 of its segment, rows[m] × cols; y[m] from index 0. Overwrites the y's. Only for n where {@link
     * #fusesPrompt} holds: otherwise run the products one by one (how the single pass works: see {@link Gemm#sameInput}).
     */
    public static void sameInput(Dtype dtype, MemorySegment[] w, int[] rows, int cols, float[] x, int xOff, float[][] y,
                                 int n, ThreadPool pool) {
        checkFuses(n);
        if (rows.length != w.length || y.length != w.length) {
            throw new IllegalArgumentException(w.length + " matrices need as many row counts and outputs, not "
                    + rows.length + " and " + y.length);
        }
        for (int m = 0; m < w.length; m++) {
            checkBounds(dtype, w[m], 0, rows[m], cols, x, xOff, y[m], 0, n);
        }
        if (cols == 0) {
            for (int m = 0; m < w.length; m++) {
                java.util.Arrays.fill(y[m], 0, n * rows[m], 0f);
            }
            return;
        }
        Gemm.sameInput(dtype, w, new long[w.length], rows, cols, x, xOff, y, new int[w.length], n, pool, Gemm.Y_COPY_LIMIT);
    }

    private static void checkFuses(int n) {
        if (!fusesPrompt(n)) {
            throw new IllegalArgumentException("the fused kernels take " + GEMM_MIN_N + " to " + Gemm.TOKEN_LANES_MAX_N
                    + " tokens, not " + n + "; run the products one by one");
        }
    }

    /** Checks the operands, and runs the packed {@link Gemm} when there are enough tokens to pay for packing. */
    private static boolean gemm(Dtype dtype, MemorySegment w, long wOffset, int rows, int cols, float[] x, int xOff,
                                float[] y, int yOff, int n, ThreadPool pool) {
        checkBounds(dtype, w, wOffset, rows, cols, x, xOff, y, yOff, n);
        if (n >= GEMM_MIN_N) {
            Gemm.run(dtype, w, wOffset, rows, cols, x, xOff, y, yOff, n, pool);
            return true;
        }
        return n == 0;
    }

    /** One reusable task per dtype, owned by one thread. */
    private static final class Tasks {
        final RowTask f32 = new F32Rows();
        final RowTask bf16 = new Bf16Rows();
        final RowTask f16 = new F16Rows();
        final RowTask q8_0 = new Q8_0Rows();
    }

    /**
     * The matvec of n < {@link #GEMM_MIN_N} tokens over blocks of W rows, its operands set per call. n == 1 splits
     * the rows into work items of {@link #MATVEC_ROWS}. For a few tokens, the same matvec runs per token over a block
     * of {@link #L2_ROWS} rows small enough to stay in L2, so W still streams from memory once and no packing is paid.
     *
     * <p>Why objects and not lambdas: a capturing lambda is a new object per call (about 9 KB per decoded token over
     * all projections), which escapes into the pool, so C2 cannot remove it. Each thread reuses its own task (a task
     * is busy only while its call runs; a nested call on the same thread gets a fresh one). Each dtype has its own
     * subclass whose {@link #kernel} calls its kernel directly, so every kernel call site stays monomorphic (a shared
     * one would stop C2 from scalarising the vectors); the shared loop around it passes only ints.
     */
    abstract static class RowTask implements RangeTask {
        MemorySegment w;
        long wOffset;
        int rows;
        int cols;
        float[] x;
        int xOff;
        float[] y;
        int yOff;
        int n;
        /** Rows per work item, and rows per kernel call within one (all of the item's rows when n == 1). */
        int per;
        int step;
        boolean busy;

        final void runOn(ThreadPool pool, MemorySegment w, long wOffset, int rows, int cols, float[] x, int xOff,
                         float[] y, int yOff, int n) {
            this.w = w;
            this.wOffset = wOffset;
            this.rows = rows;
            this.cols = cols;
            this.x = x;
            this.xOff = xOff;
            this.y = y;
            this.yOff = yOff;
            this.n = n;
            this.per = n == 1 ? MATVEC_ROWS : L2_ROWS;
            this.step = n == 1 ? Math.max(1, rows) : L2_ROWS;
            busy = true;
            try {
                prepare();
                pool.parallelFor(blocks(rows, per), this);
            } finally {
                this.w = null; // do not keep the caller's weights and activations reachable
                this.x = null;
                this.y = null;
                busy = false;
            }
        }

        /** Called on the calling thread once the operands are set, before the rows are dispatched. */
        void prepare() {}

        @Override
        public final void run(int b0, int b1) {
            for (int r0 = b0 * per, end = Math.min(rows, b1 * per); r0 < end; r0 += step) {
                for (int t = 0, r1 = Math.min(end, r0 + step); t < n; t++) {
                    kernel(t, r0, r1);
                }
            }
        }

        /** Token t's outputs for rows [r0, r1): one call of this task's kernel. */
        abstract void kernel(int t, int r0, int r1);
    }

    private static final class F32Rows extends RowTask {
        @Override
        void kernel(int t, int r0, int r1) {
            MatVec.f32(w, wOffset, cols, x, xOff + t * cols, y, yOff + t * rows, r0, r1);
        }
    }

    private static final class Bf16Rows extends RowTask {
        /** Every token's x as {@link MatVec#bf16} reads it; this task's own buffer, kept and grown as needed. */
        private float[] xp = new float[0];

        @Override
        void prepare() {
            if (xp.length < n * cols) {
                xp = new float[n * cols];
            }
            for (int t = 0; t < n; t++) {
                MatVec.permuteBf16(x, xOff + t * cols, cols, xp, t * cols);
            }
        }

        @Override
        void kernel(int t, int r0, int r1) {
            MatVec.bf16(w, wOffset, cols, x, xOff + t * cols, xp, t * cols, y, yOff + t * rows, r0, r1);
        }
    }

    private static final class F16Rows extends RowTask {
        @Override
        void kernel(int t, int r0, int r1) {
            MatVec.f16(w, wOffset, cols, x, xOff + t * cols, y, yOff + t * rows, r0, r1);
        }
    }

    private static final class Q8_0Rows extends RowTask {
        @Override
        void kernel(int t, int r0, int r1) {
            Q8_0.matvec(w, wOffset, cols, x, xOff + t * cols, y, yOff + t * rows, r0, r1);
        }
    }

    static int blocks(int count, int per) {
        return (count + per - 1) / per;
    }

    private static void checkBounds(Dtype dtype, MemorySegment w, long wOffset, int rows, int cols,
                                    float[] x, int xOff, float[] y, int yOff, int n) {
        checkWeight(dtype, w, wOffset, rows, cols);
        if (n < 0) {
            throw new IllegalArgumentException("negative shape: n=" + n);
        }
        if (xOff < 0 || xOff + (long) n * cols > x.length) {
            throw new IndexOutOfBoundsException("x too short for n=" + n + " cols=" + cols + " at " + xOff);
        }
        if (yOff < 0 || yOff + (long) n * rows > y.length) {
            throw new IndexOutOfBoundsException("y too short for n=" + n + " rows=" + rows + " at " + yOff);
        }
    }

    private static void checkWeight(Dtype dtype, MemorySegment w, long wOffset, int rows, int cols) {
        if (rows < 0 || cols < 0) {
            throw new IllegalArgumentException("negative shape: rows=" + rows + " cols=" + cols);
        }
        if (wOffset < 0 || wOffset + dtype.offset(rows, cols, 0) > w.byteSize()) {
            throw new IndexOutOfBoundsException("W [" + rows + "][" + cols + "] at byte " + wOffset + " exceeds segment of " + w.byteSize());
        }
    }
}
