package dev.loraflow.kernels.grad;

import dev.loraflow.kernels.Gemm;
import dev.loraflow.kernels.MatMul;
import dev.loraflow.kernels.ThreadPool;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Backward of the linear map Y[n][rows] = X[n][cols] · Wᵀ (W row-major [rows][cols]). Both gradients ACCUMULATE:
 * <ul>
 *   <li>input gradient dX[n][cols] += dY[n][rows] · W, for W frozen in a segment (F32/BF16/F16) or in a float[];
 *   <li>weight gradient dW[rows][cols] += dYᵀ · X, for trainable float[] weights.
 * </ul>
 *
 * <p>Input gradient: from {@link #GEMM_TOKENS} tokens on it is {@link Gemm}'s k-major GEMM with W as B (its rows
 * are the contiguous runs that GEMM packs). Below that, the output is cut into tiles of (a block of tokens) × (256 columns); each tile is one work item
 * and owns its part of dX, so there are no races. Per tile, rows of W are widened 8 at a time into a panel
 * (L1-sized) and each token adds four panel rows scaled by its dY entries per pass, so one dX load/store serves
 * four FMAs. Token blocks exist only to give every thread work when W is narrow (LoRA B: 64 columns); otherwise
 * each W element is widened once per call.
 *
 * <p>Weight gradient: work items are (4 rows) × (256 columns) of dW, accumulated in registers over blocks of 64
 * tokens so the X tile stays in L2.
 */
public final class MatMulGrad {
    private static final VectorSpecies<Float> F = Lanes.F;
    /** Columns per tile; a multiple of every lane count. */
    static final int TILE_COLS = 256;
    /** W rows widened per panel of the input gradient. */
    static final int PANEL_ROWS = 8;
    /** Rows of dW per work item of the weight gradient, accumulated in registers together. */
    static final int WEIGHT_ROWS = 4;
    /** Tokens per pass of the weight gradient (64 x 256 floats of X = 64 KiB). */
    static final int WEIGHT_TOKENS = 64;
    /** From this many tokens on, dX += dY·W runs as {@link Gemm}'s k-major GEMM on W itself (W is B [rows][cols]). */
    static final int GEMM_TOKENS = 32;
    /** Work items per thread to aim for when splitting tokens. */
    private static final int ITEMS_PER_THREAD = 4;

    private MatMulGrad() {}

    public static void inputF32(MemorySegment w, long wOffset, int rows, int cols, float[] dy, int dyOff,
                                float[] dx, int dxOff, int n, ThreadPool pool) {
        inputFromSegment(WeightStorage.F32, w, wOffset, rows, cols, dy, dyOff, dx, dxOff, n, pool);
    }

    public static void inputBf16(MemorySegment w, long wOffset, int rows, int cols, float[] dy, int dyOff,
                                 float[] dx, int dxOff, int n, ThreadPool pool) {
        inputFromSegment(WeightStorage.BF16, w, wOffset, rows, cols, dy, dyOff, dx, dxOff, n, pool);
    }

    public static void inputF16(MemorySegment w, long wOffset, int rows, int cols, float[] dy, int dyOff,
                                float[] dx, int dxOff, int n, ThreadPool pool) {
        inputFromSegment(WeightStorage.F16, w, wOffset, rows, cols, dy, dyOff, dx, dxOff, n, pool);
    }

    /**
     * The forward for trainable or small float[] weights, y [n][rows] = x [n][cols] · Wᵀ (overwrites y), through
     * {@link MatMul} on a heap segment, which is in native order while MatMul reads little-endian.
     */
    public static void forward(float[] w, int rows, int cols, float[] x, float[] y, int n, ThreadPool pool) {
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
            throw new UnsupportedOperationException("float[] weights need a little-endian platform");
        }
        MatMul.f32(MemorySegment.ofArray(w), 0, rows, cols, x, 0, y, 0, n, pool);
    }

    /** dX += dY · W for W a float[] [rows][cols] starting at wOff. */
    public static void input(float[] w, int wOff, int rows, int cols, float[] dy, int dyOff,
                             float[] dx, int dxOff, int n, ThreadPool pool) {
        checkArrays(rows, cols, dy, dyOff, dx, dxOff, n);
        checkRange(w, wOff, (long) rows * cols, "W");
        if (n >= GEMM_TOKENS) {
            Gemm.f32(w, wOff, rows, cols, dy, dyOff, dx, dxOff, n, true, pool);
            return;
        }
        Tiling tiling = new Tiling(n, cols, pool);
        pool.parallelFor(tiling.items(), (i0, i1) -> {
            for (int i = i0; i < i1; i++) {
                int c0 = tiling.col0(i);
                int width = tiling.width(i);
                for (int r0 = 0; r0 < rows; r0 += PANEL_ROWS) {
                    addPanel(w, wOff + r0 * cols + c0, cols, Math.min(PANEL_ROWS, rows - r0), width,
                            dy, dyOff + r0, rows, dx, dxOff + c0, cols, tiling.token0(i), tiling.token1(i));
                }
            }
        });
    }

    private static void inputFromSegment(WeightStorage storage, MemorySegment w, long wOffset, int rows, int cols,
                                         float[] dy, int dyOff, float[] dx, int dxOff, int n, ThreadPool pool) {
        checkArrays(rows, cols, dy, dyOff, dx, dxOff, n);
        storage.checkBounds(w, wOffset, rows, cols);
        if (n >= GEMM_TOKENS) {
            switch (storage) {
                case F32 -> Gemm.f32(w, wOffset, rows, cols, dy, dyOff, dx, dxOff, n, true, pool);
                case BF16 -> Gemm.bf16(w, wOffset, rows, cols, dy, dyOff, dx, dxOff, n, true, pool);
                case F16 -> Gemm.f16(w, wOffset, rows, cols, dy, dyOff, dx, dxOff, n, true, pool);
            }
            return;
        }
        Tiling tiling = new Tiling(n, cols, pool);
        pool.parallelFor(tiling.items(), (i0, i1) -> {
            // One panel per chunk of work items (a few per thread per call), not per item.
            float[] panel = new float[PANEL_ROWS * TILE_COLS];
            short[] staging = new short[TILE_COLS];
            for (int i = i0; i < i1; i++) {
                int c0 = tiling.col0(i);
                int width = tiling.width(i);
                for (int r0 = 0; r0 < rows; r0 += PANEL_ROWS) {
                    int count = Math.min(PANEL_ROWS, rows - r0);
                    for (int r = 0; r < count; r++) {
                        long at = wOffset + ((long) (r0 + r) * cols + c0) * storage.bytes;
                        storage.widen(w, at, width, panel, r * TILE_COLS, staging);
                    }
                    addPanel(panel, 0, TILE_COLS, count, width,
                            dy, dyOff + r0, rows, dx, dxOff + c0, cols, tiling.token0(i), tiling.token1(i));
                }
            }
        });
    }

    /**
     * For tokens t in [t0, t1): dx[t][0..width) += sum_r dy[t][r] * panel[r][0..width) over the count panel rows;
     * dy and dx point at the panel's first row and column, with row strides dyStride and dxStride.
     */
    private static void addPanel(float[] panel, int pOff, int pStride, int count, int width,
                                 float[] dy, int dyOff, int dyStride, float[] dx, int dxOff, int dxStride, int t0, int t1) {
        int bound = F.loopBound(width);
        for (int t = t0; t < t1; t++) {
            int d = dyOff + t * dyStride;
            int x = dxOff + t * dxStride;
            int r = 0;
            for (; r + 4 <= count; r += 4) {
                float s0 = dy[d + r], s1 = dy[d + r + 1], s2 = dy[d + r + 2], s3 = dy[d + r + 3];
                int p0 = pOff + r * pStride, p1 = p0 + pStride, p2 = p1 + pStride, p3 = p2 + pStride;
                FloatVector v0 = FloatVector.broadcast(F, s0), v1 = FloatVector.broadcast(F, s1);
                FloatVector v2 = FloatVector.broadcast(F, s2), v3 = FloatVector.broadcast(F, s3);
                int j = 0;
                for (; j < bound; j += F.length()) {
                    FloatVector acc = FloatVector.fromArray(F, dx, x + j);
                    acc = FloatVector.fromArray(F, panel, p0 + j).fma(v0, acc);
                    acc = FloatVector.fromArray(F, panel, p1 + j).fma(v1, acc);
                    acc = FloatVector.fromArray(F, panel, p2 + j).fma(v2, acc);
                    acc = FloatVector.fromArray(F, panel, p3 + j).fma(v3, acc);
                    acc.intoArray(dx, x + j);
                }
                for (; j < width; j++) {
                    float acc = dx[x + j];
                    acc = Math.fma(panel[p0 + j], s0, acc);
                    acc = Math.fma(panel[p1 + j], s1, acc);
                    acc = Math.fma(panel[p2 + j], s2, acc);
                    dx[x + j] = Math.fma(panel[p3 + j], s3, acc);
                }
            }
            for (; r < count; r++) {
                Axpy.add(dy[d + r], panel, pOff + r * pStride, dx, x, width);
            }
        }
    }

    /** dW[rows][cols] (at dwOff) += dY[n][rows]ᵀ · X[n][cols]. */
    public static void weight(float[] dy, int dyOff, float[] x, int xOff, float[] dw, int dwOff,
                              int rows, int cols, int n, ThreadPool pool) {
        checkArrays(rows, cols, dy, dyOff, x, xOff, n);
        checkRange(dw, dwOff, (long) rows * cols, "dW");
        int rowBlocks = Lanes.blocks(rows, WEIGHT_ROWS);
        int colTiles = Lanes.blocks(cols, TILE_COLS);
        pool.parallelFor(rowBlocks * colTiles, (i0, i1) -> {
            for (int i = i0; i < i1; i++) {
                int r0 = i / colTiles * WEIGHT_ROWS;
                int c0 = i % colTiles * TILE_COLS;
                int count = Math.min(WEIGHT_ROWS, rows - r0);
                int width = Math.min(TILE_COLS, cols - c0);
                for (int t0 = 0; t0 < n; t0 += WEIGHT_TOKENS) {
                    int t1 = Math.min(n, t0 + WEIGHT_TOKENS);
                    if (count == WEIGHT_ROWS) {
                        weightTile4(dy, dyOff + r0, rows, x, xOff + c0, cols, dw, dwOff + r0 * cols + c0, width, t0, t1);
                    } else {
                        for (int r = 0; r < count; r++) {
                            weightTile1(dy, dyOff + r0 + r, rows, x, xOff + c0, cols, dw, dwOff + (r0 + r) * cols + c0, width, t0, t1);
                        }
                    }
                }
            }
        });
    }

    /** Four rows of dW (stride = stride of X) accumulated in registers over tokens [t0, t1). */
    private static void weightTile4(float[] dy, int dyOff, int dyStride, float[] x, int xOff, int stride,
                                    float[] dw, int dwOff, int width, int t0, int t1) {
        int bound = F.loopBound(width);
        int j = 0;
        for (; j < bound; j += F.length()) {
            int w0 = dwOff + j, w1 = w0 + stride, w2 = w1 + stride, w3 = w2 + stride;
            FloatVector a0 = FloatVector.fromArray(F, dw, w0), a1 = FloatVector.fromArray(F, dw, w1);
            FloatVector a2 = FloatVector.fromArray(F, dw, w2), a3 = FloatVector.fromArray(F, dw, w3);
            for (int t = t0; t < t1; t++) {
                FloatVector xv = FloatVector.fromArray(F, x, xOff + t * stride + j);
                int d = dyOff + t * dyStride;
                a0 = xv.fma(FloatVector.broadcast(F, dy[d]), a0);
                a1 = xv.fma(FloatVector.broadcast(F, dy[d + 1]), a1);
                a2 = xv.fma(FloatVector.broadcast(F, dy[d + 2]), a2);
                a3 = xv.fma(FloatVector.broadcast(F, dy[d + 3]), a3);
            }
            a0.intoArray(dw, w0);
            a1.intoArray(dw, w1);
            a2.intoArray(dw, w2);
            a3.intoArray(dw, w3);
        }
        for (; j < width; j++) {
            for (int r = 0; r < 4; r++) {
                float acc = dw[dwOff + r * stride + j];
                for (int t = t0; t < t1; t++) {
                    acc = Math.fma(dy[dyOff + t * dyStride + r], x[xOff + t * stride + j], acc);
                }
                dw[dwOff + r * stride + j] = acc;
            }
        }
    }

    private static void weightTile1(float[] dy, int dyOff, int dyStride, float[] x, int xOff, int stride,
                                    float[] dw, int dwOff, int width, int t0, int t1) {
        for (int t = t0; t < t1; t++) {
            Axpy.add(dy[dyOff + t * dyStride], x, xOff + t * stride, dw, dwOff, width);
        }
    }

    /** Work items of the input gradient: token blocks × column tiles, enough of them to occupy the pool. */
    private record Tiling(int n, int cols, int colTiles, int tokenBlock) {
        Tiling(int n, int cols, ThreadPool pool) {
            this(n, cols, Lanes.blocks(cols, TILE_COLS), tokenBlock(n, Lanes.blocks(cols, TILE_COLS), pool.threads()));
        }

        private static int tokenBlock(int n, int colTiles, int threads) {
            int wanted = Math.max(1, Lanes.blocks(threads * ITEMS_PER_THREAD, Math.max(1, colTiles)));
            return Math.max(1, Lanes.blocks(n, wanted));
        }

        int items() {
            return n == 0 || cols == 0 ? 0 : colTiles * Lanes.blocks(n, tokenBlock);
        }

        int col0(int item) {
            return item % colTiles * TILE_COLS;
        }

        int width(int item) {
            return Math.min(TILE_COLS, cols - col0(item));
        }

        int token0(int item) {
            return item / colTiles * tokenBlock;
        }

        int token1(int item) {
            return Math.min(n, token0(item) + tokenBlock);
        }
    }

    private static void checkArrays(int rows, int cols, float[] dy, int dyOff, float[] xOrDx, int xOff, int n) {
        if (rows < 0 || cols < 0 || n < 0) {
            throw new IllegalArgumentException("negative shape: rows=" + rows + " cols=" + cols + " n=" + n);
        }
        checkRange(dy, dyOff, (long) n * rows, "dY");
        checkRange(xOrDx, xOff, (long) n * cols, "X/dX");
    }

    static void checkRange(float[] a, long off, long length, String what) {
        if (off < 0 || off + length > a.length) {
            throw new IndexOutOfBoundsException(what + " needs " + length + " floats at " + off + " but has " + a.length);
        }
    }
}
