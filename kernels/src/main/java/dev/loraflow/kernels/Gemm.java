package dev.loraflow.kernels;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Cache-blocked GEMM for n > 1 tokens (prefill, training), in two orientations of the weight:
 * <ul>
 *   <li>{@link #run}: Y[t][r] = X[t]·W[r] for W row-major [rows][cols] (the forward of a linear layer), up to
 *       {@link #TOKEN_LANES_MAX_N} tokens with the operands' roles swapped ({@link #tokenLanes}), else as below;
 *   <li>the public {@code f32/bf16/f16} entry points: Y[t][c] (+)= Σ_k X[t][k]·B[k][c] for B row-major
 *       [depth][width] — the input gradient dX = dY·W on W itself, or the forward on a cached transpose Wᵀ;
 *   <li>for a prompt, two fused forms of the token-lane product: {@link #sameInput} (several matrices reading one X:
 *       Q, K and V) and {@link #swiGlu} (a whole Llama MLP, its hidden activations never leaving the lane layout).
 * </ul>
 *
 * <p>Blocks of {@link #NC} output columns × {@link #KC} k are widened to F32 and packed into panels of {@link #NR}
 * columns laid out [k][NR], so one k step of the micro-kernel loads NR consecutive weights as two vectors and
 * broadcasts one X value per token: an {@link #MR} × NR tile of Y lives in 24 accumulator registers, with no
 * horizontal reductions, and is read from and written to Y directly. For B the panel rows are contiguous runs of B
 * (a vector widen); for W they are columns, so W's packing transposes. A packed block (NC·KC·4 = 512 KiB) stays in
 * L2 (1 MiB on Zen 5) while the tokens stream past it; the micro-kernel's X slice, a contiguous [MR][KC] run of
 * {@link #packX}'s copy of X (MR·KC·4 = 24 KiB), stays in L1 (48 KiB) beside the panel streaming through from L2.
 * KC = 512 rather than 256 halves the passes over Y (each k block reads and writes all of Y's block once). Work
 * items are (column block) × (token block), token blocks only when there are too few column blocks to keep every
 * thread busy, so workers never share outputs. Each output's arithmetic (an FMA chain over k in
 * order, one chain per k block) depends only on the shapes, not on the thread count.
 */
public final class Gemm {
    private static final VectorSpecies<Float> F = Simd.F;
    /** Tokens per micro-kernel tile. */
    static final int MR = 12;
    /** Output columns per panel: two vectors. */
    static final int NR = 2 * Simd.LANES;
    /** k per packed block: a multiple of the Q8_0 block. */
    static final int KC = 512;
    /** Output columns per packed block (a multiple of NR for every vector width). */
    static final int NC = 256;
    /**
     * Most tokens {@link #run} hands to {@link #tokenLanes} (a training batch; X's transposed copy is then up to
     * 512 × depth floats, 11 MiB at depth 5632). At 512 both paths ran at the same speed, and beyond it the blocked
     * path reaches 300 GFLOP/s at 2048 tokens.
     */
    static final int TOKEN_LANES_MAX_N = 512;
    /**
     * Token panels per {@link #tokenLanes} item: one k block of them is 8 × KC × NR floats = 512 KiB, within L2 while
     * a row group runs over it; all k blocks of a token block (2 MiB at depth 2048) are re-read from L3 per row group.
     */
    static final int TOKEN_BLOCK_PANELS = 8;
    /** Work items to aim for per thread, so uneven items still balance. */
    private static final int ITEMS_PER_THREAD = 3;
    private static final int SLOT_PACKED = 2;
    private static final int SLOT_ROW = 3;
    private static final int SLOT_TILE = 4;
    private static final int SLOT_GATE_TILE = 7;
    private static final int SLOT_UP_TILE = 8;
    /**
     * Each calling thread's buffers shared by all workers of its call: [{@link #X_COPY}] X's copy ({@link #packX} or
     * {@link #transposeX}), [{@link #Y_COPY}] {@link #tokenLanes}'s outputs before {@link #transposeY}, [{@link #H_COPY}]
     * {@link #swiGlu}'s hidden activations. Not pool scratch
     * slots: those belong to one thread inside a task, and two threads may run GEMMs on one pool.
     */
    private static final ThreadLocal<float[][]> CALL_BUFFERS = ThreadLocal.withInitial(() -> new float[3][]);
    private static final int X_COPY = 0;
    private static final int Y_COPY = 1;
    private static final int H_COPY = 2;
    /** Most floats of Y (4 MiB) {@link #tokenLanes} holds transposed at once; beyond it the rows go in chunks. */
    static final int Y_COPY_LIMIT = 1 << 20;
    /** Rows (and tokens) per block of {@link #transposeY}: one cache line of floats. */
    private static final int TRANSPOSE_BLOCK = 16;
    /**
     * Largest copy of all of X (floats, 4 MiB) made at once; beyond it X is copied one k block at a time, so the
     * copy each pass reads stays in L3 (for 2048 × 2048 the two ways measured within noise of each other, with one
     * and two threads, under load). Tests force the k-block path through {@link #runBlocked}'s limit parameter.
     */
    static final int PACK_ALL_LIMIT = 1 << 20;

    private Gemm() {}

    /** Y[n][width] (+)= X[n][depth] · B[depth][width], B F32 row-major from byte bOffset of b. */
    public static void f32(MemorySegment b, long bOffset, int depth, int width, float[] x, int xOff,
                           float[] y, int yOff, int n, boolean accumulate, ThreadPool pool) {
        kMajor(Dtype.F32, b, bOffset, depth, width, x, xOff, y, yOff, n, accumulate, pool);
    }

    /** As {@link #f32} for a float[] B [depth][width] starting at bOff. */
    public static void f32(float[] b, int bOff, int depth, int width, float[] x, int xOff,
                           float[] y, int yOff, int n, boolean accumulate, ThreadPool pool) {
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
            throw new UnsupportedOperationException("float[] weights need a little-endian platform");
        }
        kMajor(Dtype.F32, MemorySegment.ofArray(b), 4L * bOff, depth, width, x, xOff, y, yOff, n, accumulate, pool);
    }

    /** As {@link #f32} for B in BF16. */
    public static void bf16(MemorySegment b, long bOffset, int depth, int width, float[] x, int xOff,
                            float[] y, int yOff, int n, boolean accumulate, ThreadPool pool) {
        kMajor(Dtype.BF16, b, bOffset, depth, width, x, xOff, y, yOff, n, accumulate, pool);
    }

    /** As {@link #f32} for B in IEEE half. */
    public static void f16(MemorySegment b, long bOffset, int depth, int width, float[] x, int xOff,
                           float[] y, int yOff, int n, boolean accumulate, ThreadPool pool) {
        kMajor(Dtype.F16, b, bOffset, depth, width, x, xOff, y, yOff, n, accumulate, pool);
    }

    private static void kMajor(Dtype dtype, MemorySegment b, long bOffset, int depth, int width, float[] x, int xOff,
                               float[] y, int yOff, int n, boolean accumulate, ThreadPool pool) {
        if (depth < 0 || width < 0 || n < 0) {
            throw new IllegalArgumentException("negative shape: depth=" + depth + " width=" + width + " n=" + n);
        }
        if (bOffset < 0 || bOffset + dtype.offset(depth, width, 0) > b.byteSize()) {
            throw new IndexOutOfBoundsException("B [" + depth + "][" + width + "] at byte " + bOffset + " exceeds segment of " + b.byteSize());
        }
        if (xOff < 0 || xOff + (long) n * depth > x.length) {
            throw new IndexOutOfBoundsException("x too short for n=" + n + " depth=" + depth + " at " + xOff);
        }
        if (yOff < 0 || yOff + (long) n * width > y.length) {
            throw new IndexOutOfBoundsException("y too short for n=" + n + " width=" + width + " at " + yOff);
        }
        if (n == 0 || width == 0) {
            return;
        }
        if (depth == 0) {
            if (!accumulate) {
                java.util.Arrays.fill(y, yOff, yOff + n * width, 0f);
            }
            return;
        }
        blocked(dtype, b, bOffset, width, depth, x, xOff, y, yOff, n, accumulate, true, pool, PACK_ALL_LIMIT);
    }

    /**
     * Y[t][r] = X[t]·W[r] for W [rows][cols] (overwrites y); shapes checked by {@link MatMul}. Up to
     * {@link #TOKEN_LANES_MAX_N} tokens by {@link #tokenLanes}, else by {@link #blocked}.
     */
    static void run(Dtype dtype, MemorySegment w, long wOffset, int rows, int cols,
                    float[] x, int xOff, float[] y, int yOff, int n, ThreadPool pool) {
        if (n <= TOKEN_LANES_MAX_N && cols > 0) {
            tokenLanes(dtype, w, wOffset, rows, cols, x, xOff, y, yOff, n, pool);
        } else {
            runBlocked(dtype, w, wOffset, rows, cols, x, xOff, y, yOff, n, pool, PACK_ALL_LIMIT);
        }
    }

    /** {@link #run} by {@link #blocked}, copying all of X at once only up to {@code packAllLimit} floats. */
    static void runBlocked(Dtype dtype, MemorySegment w, long wOffset, int rows, int cols,
                           float[] x, int xOff, float[] y, int yOff, int n, ThreadPool pool, int packAllLimit) {
        if (cols == 0) {
            java.util.Arrays.fill(y, yOff, yOff + n * rows, 0f);
            return;
        }
        blocked(dtype, w, wOffset, rows, cols, x, xOff, y, yOff, n, false, false, pool, packAllLimit);
    }

    /**
     * Y[t][r] = X[t]·W[r] with the roles of the operands in {@link #micro} swapped: the tokens run along the vector
     * lanes (X transposed once per call into panels [k][NR tokens]) and MR rows of W, widened in place as contiguous
     * runs [MR][KC], are the broadcast side. Why: {@link #blocked}'s W panels are W's columns, so its packing is a
     * scalar transpose of every weight, paid once per call, which at prefill sizes (128 tokens) is as much work as a
     * good part of the FMAs; here only X (tokens × depth, a fraction of W) is transposed, and W is only widened.
     * Each output is the same FMA chain over each k block, added to the previous blocks' sum in the same order, as in
     * {@link #blocked}, so the two paths give identical bits. Items are (row group) × (block of
     * {@link #TOKEN_BLOCK_PANELS} token panels); W's rows are widened once per token block. The tiles land in a
     * transposed copy of Y ([row][token]), at most {@link #Y_COPY_LIMIT} floats of it at a time, and each worker's run
     * of items ends by writing its rows out to Y ({@link #transposeY}).
     */
    static void tokenLanes(Dtype dtype, MemorySegment w, long wOffset, int rows, int cols,
                           float[] x, int xOff, float[] y, int yOff, int n, ThreadPool pool) {
        tokenLanes(dtype, w, wOffset, rows, cols, x, xOff, y, yOff, n, pool, Y_COPY_LIMIT);
    }

    /** {@link #tokenLanes} holding at most {@code yCopyLimit} floats of Y's transposed copy (tests force chunks). */
    static void tokenLanes(Dtype dtype, MemorySegment w, long wOffset, int rows, int cols,
                           float[] x, int xOff, float[] y, int yOff, int n, ThreadPool pool, int yCopyLimit) {
        sameInput(dtype, new MemorySegment[] {w}, new long[] {wOffset}, new int[] {rows}, cols, x, xOff,
                new float[][] {y}, new int[] {yOff}, n, pool, yCopyLimit);
    }

    /**
     * Y_m[t][r] = X[t]·W_m[r] for several matrices of one dtype and width that read the same X (a layer's Q, K and V)
     * as one {@link #tokenLanes} call: X transposed once, and the row groups of all of them items of one pass, so the
     * small ones (K and V: 22 row groups each in tinyllama) no longer pay a transpose and two barriers of their own.
     */
    static void sameInput(Dtype dtype, MemorySegment[] w, long[] wOffset, int[] rows, int cols, float[] x, int xOff,
                          float[][] y, int[] yOff, int n, ThreadPool pool, int yCopyLimit) {
        float[] xt = transposeAll(x, xOff, cols, n, pool);
        lanes(dtype, w, wOffset, rows, cols, xt, y, yOff, n, pool, yCopyLimit);
    }

    /** X [n][cols] into the calling thread's copy of X, as {@link #transposeX}'s panels, by all threads. */
    private static float[] transposeAll(float[] x, int xOff, int cols, int n, ThreadPool pool) {
        int panels = MatMul.blocks(n, NR);
        int kBlocks = MatMul.blocks(cols, KC);
        float[] xt = callBuffer(X_COPY, kBlocks * panels * KC * NR);
        pool.parallelFor(kBlocks * panels, (a0, a1) -> {
            for (int a = a0; a < a1; a++) {
                transposeX(x, xOff, cols, n, a / panels, a % panels, panels, xt);
            }
        });
        return xt;
    }

    /**
     * {@link #sameInput}'s products once X is in panels (xt as {@link #transposeX} lays it out). Row groups are
     * numbered across the matrices, each matrix's from firstGroup[m]; a group never spans two.
     */
    private static void lanes(Dtype dtype, MemorySegment[] w, long[] wOffset, int[] rows, int cols, float[] xt,
                              float[][] y, int[] yOff, int n, ThreadPool pool, int yCopyLimit) {
        int panels = MatMul.blocks(n, NR);
        int kBlocks = MatMul.blocks(cols, KC);
        int width = panels * NR; // a row of yt: every token of the call, padded to whole panels
        int[] firstGroup = new int[w.length + 1];
        for (int m = 0; m < w.length; m++) {
            firstGroup[m + 1] = firstGroup[m] + MatMul.blocks(rows[m], MR);
        }
        int groups = firstGroup[w.length];
        int chunkGroups = Math.min(groups, Math.max(1, yCopyLimit / (MR * width)));
        float[] yt = callBuffer(Y_COPY, chunkGroups * MR * width);
        int tokenBlocks = MatMul.blocks(panels, TOKEN_BLOCK_PANELS);
        for (int g0 = 0; g0 < groups; g0 += chunkGroups) {
            int first = g0, count = Math.min(chunkGroups, groups - g0);
            pool.parallelFor(count * tokenBlocks, (i0, i1) -> {
                float[] wRows = pool.scratch(SLOT_PACKED, MR * KC);
                for (int item = i0; item < i1; item++) {
                    int g = item % count, m = matrixOf(firstGroup, first + g), r0 = (first + g - firstGroup[m]) * MR;
                    int p0 = (item / count) * TOKEN_BLOCK_PANELS, np = Math.min(TOKEN_BLOCK_PANELS, panels - p0);
                    for (int kb = 0; kb < kBlocks; kb++) {
                        int k0 = kb * KC, kc = Math.min(KC, cols - k0);
                        widenGroup(dtype, w[m], wOffset[m], rows[m], cols, r0, k0, kc, wRows);
                        for (int q = 0; q < np; q++) {
                            micro(wRows, 0, xt, (kb * panels + p0 + q) * KC * NR, kc, yt, g * MR * width + (p0 + q) * NR, width, kb > 0);
                        }
                    }
                }
                // The rows of this run's items go out to Y now, from this core's caches, rather than in a pass of
                // their own after a barrier: items [a, b) share a token block and cover consecutive row groups.
                for (int a = i0, b; a < i1; a = b) {
                    int tokenBlock = a / count, t0 = tokenBlock * TOKEN_BLOCK_PANELS * NR;
                    b = Math.min(i1, (tokenBlock + 1) * count);
                    int lo = first + a % count, hi = first + (b - 1) % count + 1; // the run's row groups
                    for (int m = matrixOf(firstGroup, lo); m < w.length && firstGroup[m] < hi; m++) {
                        int shift = (first - firstGroup[m]) * MR; // matrix m's row of yt's row ρ is ρ + shift
                        transposeY(yt, width, (Math.max(lo, firstGroup[m]) - first) * MR,
                                Math.min(rows[m] - shift, (Math.min(hi, firstGroup[m + 1]) - first) * MR),
                                t0, Math.min(n, t0 + TOKEN_BLOCK_PANELS * NR), y[m], yOff[m] + shift, rows[m]);
                    }
                }
            });
        }
    }

    /** The matrix whose row groups include global group g. */
    private static int matrixOf(int[] firstGroup, int g) {
        int m = 0;
        while (g >= firstGroup[m + 1]) {
            m++;
        }
        return m;
    }

    /** wRows[i·KC + k] = W[r0 + i][k0 + k] for the group's rows below {@code rows}; the others keep stale values. */
    private static void widenGroup(Dtype dtype, MemorySegment w, long wOffset, int rows, int cols, int r0, int k0, int kc,
                                   float[] wRows) {
        for (int i = 0, mr = Math.min(MR, rows - r0); i < mr; i++) { // stale rows' sums are never read
            dtype.widenRow(w, wOffset, cols, r0 + i, k0, kc, wRows, i * KC);
        }
    }

    /**
     * A Llama MLP, Y = (silu(X·Gᵀ) ⊙ (X·Uᵀ))·Dᵀ for gate and up [inter][hidden] and down [hidden][inter], in
     * {@link #tokenLanes}'s layout from end to end: X is transposed once for both gate and up; each item computes one
     * row group of gate and of up over a token block and writes silu(gate)·up straight into the panels the down
     * product reads ({@link #transposeX}'s layout, inter rows becoming its k). Against three {@link #tokenLanes} calls
     * and a SiLU pass this saves up's transpose of X, gate's and up's transposes of Y, the SiLU pass over memory,
     * down's transpose of X and four barriers. Each output is the same FMA chain as {@link #tokenLanes} gives, and
     * the same {@link VectorMath#siluMul} of it, so the bits equal the unfused path's where that path's SiLU runs on
     * vectors only.
     */
    static void swiGlu(Dtype dtype, MemorySegment gate, long gateOffset, MemorySegment up, long upOffset,
                       MemorySegment down, long downOffset, int hidden, int inter, float[] x, int xOff,
                       float[] y, int yOff, int n, ThreadPool pool) {
        float[] xt = transposeAll(x, xOff, hidden, n, pool);
        int panels = MatMul.blocks(n, NR);
        int kBlocks = MatMul.blocks(hidden, KC);
        float[] ht = callBuffer(H_COPY, MatMul.blocks(inter, KC) * panels * KC * NR);
        int groups = MatMul.blocks(inter, MR);
        int tokenBlocks = MatMul.blocks(panels, TOKEN_BLOCK_PANELS);
        int tileWidth = TOKEN_BLOCK_PANELS * NR;
        pool.parallelFor(groups * tokenBlocks, (i0, i1) -> {
            float[] wRows = pool.scratch(SLOT_PACKED, MR * KC);
            float[] gateTile = pool.scratch(SLOT_GATE_TILE, MR * tileWidth);
            float[] upTile = pool.scratch(SLOT_UP_TILE, MR * tileWidth);
            for (int item = i0; item < i1; item++) {
                int r0 = item % groups * MR, mr = Math.min(MR, inter - r0);
                int p0 = (item / groups) * TOKEN_BLOCK_PANELS, np = Math.min(TOKEN_BLOCK_PANELS, panels - p0);
                for (int kb = 0; kb < kBlocks; kb++) {
                    int k0 = kb * KC, kc = Math.min(KC, hidden - k0);
                    widenGroup(dtype, gate, gateOffset, inter, hidden, r0, k0, kc, wRows);
                    for (int q = 0; q < np; q++) {
                        micro(wRows, 0, xt, (kb * panels + p0 + q) * KC * NR, kc, gateTile, q * NR, tileWidth, kb > 0);
                    }
                    widenGroup(dtype, up, upOffset, inter, hidden, r0, k0, kc, wRows);
                    for (int q = 0; q < np; q++) {
                        micro(wRows, 0, xt, (kb * panels + p0 + q) * KC * NR, kc, upTile, q * NR, tileWidth, kb > 0);
                    }
                }
                for (int i = 0; i < mr; i++) {
                    int r = r0 + i, at = (r / KC * panels + p0) * KC * NR + r % KC * NR;
                    for (int q = 0; q < np; q++) { // tokens past n: lanes of their own, never written to Y
                        int from = i * tileWidth + q * NR;
                        VectorMath.siluMul(gateTile, from, upTile, from, ht, at + q * KC * NR, NR);
                    }
                }
            }
        });
        lanes(dtype, new MemorySegment[] {down}, new long[] {downOffset}, new int[] {hidden}, inter, ht,
                new float[][] {y}, new int[] {yOff}, n, pool, Y_COPY_LIMIT);
    }

    /**
     * y[yOff + t·rows + r] = yt[r·width + t] for r0 ≤ r < r1 and t0 ≤ t < t1, in blocks of {@link #TRANSPOSE_BLOCK}
     * rows: each token's outputs are written as whole cache lines, one sequential stream per token. Why not store
     * each tile straight into Y: a tile's 12 outputs per token are 48 bytes in a row thousands of floats long, so
     * every token line was fetched (twice, across two groups) while the weights and X's copy streamed past and
     * evicted it: 14 % of a 128 × 5632 × 2048 product on one thread, against about 3.5 % for this pass (0.7 ms of
     * 21, timed alone on that product's outputs).
     */
    static void transposeY(float[] yt, int width, int r0, int r1, int t0, int t1, float[] y, int yOff, int rows) {
        for (int r = r0; r < r1; r += TRANSPOSE_BLOCK) {
            int end = Math.min(r1, r + TRANSPOSE_BLOCK);
            for (int t = t0; t < t1; t++) {
                for (int i = r, to = yOff + t * rows; i < end; i++) {
                    y[to + i] = yt[i * width + t];
                }
            }
        }
    }

    /** xt[(kb·panels + p)·KC·NR + k·NR + j] = X[p·NR + j][kb·KC + k] for k < kc, zero for tokens past n. */
    static void transposeX(float[] x, int xOff, int depth, int n, int kb, int p, int panels, float[] xt) {
        int k0 = kb * KC, kc = Math.min(KC, depth - k0);
        int base = (kb * panels + p) * KC * NR;
        for (int j = 0; j < NR; j++) {
            int t = p * NR + j;
            if (t < n) {
                for (int k = 0, from = xOff + t * depth + k0; k < kc; k++) {
                    xt[base + k * NR + j] = x[from + k];
                }
            } else {
                for (int k = 0; k < kc; k++) {
                    xt[base + k * NR + j] = 0f;
                }
            }
        }
    }

    /**
     * The blocked loop over (column block) × (token block) items: out columns, depth k. With kMajor the weight is
     * B [depth][out], else W [out][depth]. X is first copied to xp (see {@link #packX}) by all threads: all its k
     * blocks at once when that copy has at most {@code packAllLimit} floats, so the items (each over every k block)
     * run in one more parallel pass; else one k block at a time, each copy followed by a pass over the items for
     * that k block. Why not always per k block: each pass ends in a barrier, and for a few tokens the extra
     * barriers cost more than the copy's memory (measured at n = 32 to 128, under load: 5-15 % slower).
     */
    private static void blocked(Dtype dtype, MemorySegment w, long wOffset, int out, int depth, float[] x, int xOff,
                                float[] y, int yOff, int n, boolean accumulate, boolean kMajor, ThreadPool pool,
                                int packAllLimit) {
        int colBlocks = MatMul.blocks(out, NC);
        int tileRows = MatMul.blocks(n, MR);
        int tokenBlocks = Math.min(tileRows, MatMul.blocks(ITEMS_PER_THREAD * pool.threads(), colBlocks));
        int perBlock = MR * MatMul.blocks(tileRows, tokenBlocks); // tokens per item, a multiple of MR
        int blocksOfTokens = MatMul.blocks(n, perBlock);
        int kBlocks = MatMul.blocks(depth, KC);
        int xBlock = tileRows * MR * KC; // floats of xp per k block
        boolean all = (long) xBlock * kBlocks <= packAllLimit;
        float[] xp = callBuffer(X_COPY, all ? xBlock * kBlocks : xBlock);
        for (int kb0 = 0; kb0 < kBlocks; kb0 = all ? kBlocks : kb0 + 1) {
            int first = kb0, last = all ? kBlocks : kb0 + 1;
            pool.parallelFor(tileRows * (last - first), (a0, a1) -> {
                for (int a = a0; a < a1; a++) {
                    int kb = first + a / tileRows, k0 = kb * KC;
                    packX(x, xOff, depth, n, k0, Math.min(KC, depth - k0), a % tileRows, (kb - first) * xBlock, xp);
                }
            });
            pool.parallelFor(colBlocks * blocksOfTokens, (i0, i1) -> {
                float[] packed = pool.scratch(SLOT_PACKED, NC * KC);
                float[] row = pool.scratch(SLOT_ROW, KC);
                float[] tile = pool.scratch(SLOT_TILE, MR * NR);
                for (int item = i0; item < i1; item++) {
                    int c0 = (item / blocksOfTokens) * NC, nc = Math.min(NC, out - c0);
                    int t0 = (item % blocksOfTokens) * perBlock, t1 = Math.min(n, t0 + perBlock);
                    for (int kb = first; kb < last; kb++) {
                        int k0 = kb * KC, kc = Math.min(KC, depth - k0);
                        if (kMajor) {
                            packRows(dtype, w, wOffset, out, c0, nc, k0, kc, packed);
                        } else {
                            pack(dtype, w, wOffset, depth, c0, nc, k0, kc, row, packed);
                        }
                        block(xp, (kb - first) * xBlock, kc, t0, t1, packed, nc, y, yOff, out, c0, accumulate || k0 > 0, tile);
                    }
                }
            });
        }
    }

    private static float[] callBuffer(int which, int length) {
        float[][] buffers = CALL_BUFFERS.get();
        if (buffers[which] == null || buffers[which].length < length) {
            buffers[which] = new float[length];
        }
        return buffers[which];
    }

    /**
     * xp[at + tile·MR·KC + i·KC + k] = X[tile·MR + i][k0 + k] for k < kc and i < MR, zero for tokens past n. Why:
     * X's rows are {@code depth} floats apart, so the micro-kernel reading them in place has MR separate streams
     * (for a power-of-two depth all in the same L1 sets, where the streaming panels evict them); copied once, each
     * tile is one contiguous run that every column block then reads sequentially. Measured at 2048³, one thread,
     * while others loaded the machine: copying X into a per-tile buffer inside every column block instead cost
     * about 15 % of the time.
     */
    static void packX(float[] x, int xOff, int depth, int n, int k0, int kc, int tile, int at, float[] xp) {
        for (int i = 0; i < MR; i++) {
            int t = tile * MR + i, to = at + tile * MR * KC + i * KC;
            if (t < n) {
                System.arraycopy(x, xOff + t * depth + k0, xp, to, kc);
            } else {
                java.util.Arrays.fill(xp, to, to + kc, 0f);
            }
        }
    }

    /** packed[p][k][j] = W[r0 + p·NR + j][k0 + k], zero for rows past nc so edge panels stay full width. */
    static void pack(Dtype dtype, MemorySegment w, long wOffset, int cols, int r0, int nc, int k0, int kc,
                     float[] row, float[] packed) {
        int panels = MatMul.blocks(nc, NR);
        for (int p = 0; p < panels; p++) {
            int base = p * kc * NR;
            for (int j = 0; j < NR; j++) {
                int r = p * NR + j;
                if (r < nc) {
                    dtype.widenRow(w, wOffset, cols, r0 + r, k0, kc, row);
                    for (int k = 0; k < kc; k++) {
                        packed[base + k * NR + j] = row[k];
                    }
                } else {
                    for (int k = 0; k < kc; k++) {
                        packed[base + k * NR + j] = 0f;
                    }
                }
            }
        }
    }

    /** packed[p][k][j] = B[k0 + k][c0 + p·NR + j] for B [*][width]: contiguous runs, zero past nc. */
    static void packRows(Dtype dtype, MemorySegment b, long bOffset, int width, int c0, int nc, int k0, int kc,
                         float[] packed) {
        int panels = MatMul.blocks(nc, NR);
        for (int p = 0; p < panels; p++) {
            int base = p * kc * NR;
            int cols = Math.min(NR, nc - p * NR);
            for (int k = 0; k < kc; k++) {
                int at = base + k * NR;
                dtype.widen(b, bOffset + dtype.offset(k0 + k, width, c0 + p * NR), cols, packed, at);
                if (cols < NR) {
                    java.util.Arrays.fill(packed, at + cols, at + NR, 0f);
                }
            }
        }
    }

    /**
     * Y[t][c0 + c] (+)= X[t][k0 .. k0+kc) · packed for tokens t in [t0, t1) (t0 a multiple of MR) and the nc
     * packed columns, X from {@link #packX}'s xp (this k block's copy at xAt); full tiles are written in place, edge tiles go through
     * {@code tile}.
     */
    static void block(float[] xp, int xAt, int kc, int t0, int t1, float[] packed, int nc,
                      float[] y, int yOff, int out, int c0, boolean accumulate, float[] tile) {
        int panels = MatMul.blocks(nc, NR);
        for (int t = t0; t < t1; t += MR) {
            int mr = Math.min(MR, t1 - t);
            int xs = xAt + (t / MR) * MR * KC;
            for (int p = 0; p < panels; p++) {
                int c = p * NR;
                int nr = Math.min(NR, nc - c);
                int yAt = yOff + t * out + c0 + c;
                if (mr == MR && nr == NR) {
                    micro(xp, xs, packed, p * kc * NR, kc, y, yAt, out, accumulate);
                    continue;
                }
                micro(xp, xs, packed, p * kc * NR, kc, tile, 0, NR, false);
                for (int i = 0; i < mr; i++) {
                    if (accumulate) {
                        VectorMath.addInPlace(y, yAt + i * out, tile, i * NR, nr);
                    } else {
                        System.arraycopy(tile, i * NR, y, yAt + i * out, nr);
                    }
                }
            }
        }
    }

    /**
     * out[o + i·os + j] (+)= Σ_{k < kc} xs[xo + i·KC + k] · panel[pOff + k·NR + j] for i < MR, j < NR: the sum starts
     * from zero and is added to out's values at the end when {@code add} (so a cache miss on out stalls no FMA
     * chain, and every output rounds the same way whichever path wrote it). The {@value #MR} × 2-vector register
     * tile is 24 accumulators, two panel loads and twelve broadcasts per k; xs's constant row stride lets every
     * broadcast address be one register plus a constant.
     */
    static void micro(float[] xs, int xo, float[] panel, int pOff, int kc, float[] out, int o, int os, boolean add) {
        int lanes = F.length();
        FloatVector a;
        FloatVector z = FloatVector.zero(F);
        FloatVector c00 = z, c01 = z;
        FloatVector c10 = z, c11 = z;
        FloatVector c20 = z, c21 = z;
        FloatVector c30 = z, c31 = z;
        FloatVector c40 = z, c41 = z;
        FloatVector c50 = z, c51 = z;
        FloatVector c60 = z, c61 = z;
        FloatVector c70 = z, c71 = z;
        FloatVector c80 = z, c81 = z;
        FloatVector c90 = z, c91 = z;
        FloatVector c100 = z, c101 = z;
        FloatVector c110 = z, c111 = z;
        for (int k = 0; k < kc; k++) {
            int pk = pOff + k * NR;
            FloatVector b0 = FloatVector.fromArray(F, panel, pk);
            FloatVector b1 = FloatVector.fromArray(F, panel, pk + lanes);
            a = FloatVector.broadcast(F, xs[xo + k]);
            c00 = b0.fma(a, c00);
            c01 = b1.fma(a, c01);
            a = FloatVector.broadcast(F, xs[xo + KC + k]);
            c10 = b0.fma(a, c10);
            c11 = b1.fma(a, c11);
            a = FloatVector.broadcast(F, xs[xo + 2 * KC + k]);
            c20 = b0.fma(a, c20);
            c21 = b1.fma(a, c21);
            a = FloatVector.broadcast(F, xs[xo + 3 * KC + k]);
            c30 = b0.fma(a, c30);
            c31 = b1.fma(a, c31);
            a = FloatVector.broadcast(F, xs[xo + 4 * KC + k]);
            c40 = b0.fma(a, c40);
            c41 = b1.fma(a, c41);
            a = FloatVector.broadcast(F, xs[xo + 5 * KC + k]);
            c50 = b0.fma(a, c50);
            c51 = b1.fma(a, c51);
            a = FloatVector.broadcast(F, xs[xo + 6 * KC + k]);
            c60 = b0.fma(a, c60);
            c61 = b1.fma(a, c61);
            a = FloatVector.broadcast(F, xs[xo + 7 * KC + k]);
            c70 = b0.fma(a, c70);
            c71 = b1.fma(a, c71);
            a = FloatVector.broadcast(F, xs[xo + 8 * KC + k]);
            c80 = b0.fma(a, c80);
            c81 = b1.fma(a, c81);
            a = FloatVector.broadcast(F, xs[xo + 9 * KC + k]);
            c90 = b0.fma(a, c90);
            c91 = b1.fma(a, c91);
            a = FloatVector.broadcast(F, xs[xo + 10 * KC + k]);
            c100 = b0.fma(a, c100);
            c101 = b1.fma(a, c101);
            a = FloatVector.broadcast(F, xs[xo + 11 * KC + k]);
            c110 = b0.fma(a, c110);
            c111 = b1.fma(a, c111);
        }
        if (add) {
            c00 = c00.add(FloatVector.fromArray(F, out, o + 0 * os));
            c01 = c01.add(FloatVector.fromArray(F, out, o + 0 * os + lanes));
            c10 = c10.add(FloatVector.fromArray(F, out, o + 1 * os));
            c11 = c11.add(FloatVector.fromArray(F, out, o + 1 * os + lanes));
            c20 = c20.add(FloatVector.fromArray(F, out, o + 2 * os));
            c21 = c21.add(FloatVector.fromArray(F, out, o + 2 * os + lanes));
            c30 = c30.add(FloatVector.fromArray(F, out, o + 3 * os));
            c31 = c31.add(FloatVector.fromArray(F, out, o + 3 * os + lanes));
            c40 = c40.add(FloatVector.fromArray(F, out, o + 4 * os));
            c41 = c41.add(FloatVector.fromArray(F, out, o + 4 * os + lanes));
            c50 = c50.add(FloatVector.fromArray(F, out, o + 5 * os));
            c51 = c51.add(FloatVector.fromArray(F, out, o + 5 * os + lanes));
            c60 = c60.add(FloatVector.fromArray(F, out, o + 6 * os));
            c61 = c61.add(FloatVector.fromArray(F, out, o + 6 * os + lanes));
            c70 = c70.add(FloatVector.fromArray(F, out, o + 7 * os));
            c71 = c71.add(FloatVector.fromArray(F, out, o + 7 * os + lanes));
            c80 = c80.add(FloatVector.fromArray(F, out, o + 8 * os));
            c81 = c81.add(FloatVector.fromArray(F, out, o + 8 * os + lanes));
            c90 = c90.add(FloatVector.fromArray(F, out, o + 9 * os));
            c91 = c91.add(FloatVector.fromArray(F, out, o + 9 * os + lanes));
            c100 = c100.add(FloatVector.fromArray(F, out, o + 10 * os));
            c101 = c101.add(FloatVector.fromArray(F, out, o + 10 * os + lanes));
            c110 = c110.add(FloatVector.fromArray(F, out, o + 11 * os));
            c111 = c111.add(FloatVector.fromArray(F, out, o + 11 * os + lanes));
        }
        c00.intoArray(out, o + 0 * os);
        c01.intoArray(out, o + 0 * os + lanes);
        c10.intoArray(out, o + 1 * os);
        c11.intoArray(out, o + 1 * os + lanes);
        c20.intoArray(out, o + 2 * os);
        c21.intoArray(out, o + 2 * os + lanes);
        c30.intoArray(out, o + 3 * os);
        c31.intoArray(out, o + 3 * os + lanes);
        c40.intoArray(out, o + 4 * os);
        c41.intoArray(out, o + 4 * os + lanes);
        c50.intoArray(out, o + 5 * os);
        c51.intoArray(out, o + 5 * os + lanes);
        c60.intoArray(out, o + 6 * os);
        c61.intoArray(out, o + 6 * os + lanes);
        c70.intoArray(out, o + 7 * os);
        c71.intoArray(out, o + 7 * os + lanes);
        c80.intoArray(out, o + 8 * os);
        c81.intoArray(out, o + 8 * os + lanes);
        c90.intoArray(out, o + 9 * os);
        c91.intoArray(out, o + 9 * os + lanes);
        c100.intoArray(out, o + 10 * os);
        c101.intoArray(out, o + 10 * os + lanes);
        c110.intoArray(out, o + 11 * os);
        c111.intoArray(out, o + 11 * os + lanes);
    }
}
