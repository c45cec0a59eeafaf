package dev.loraflow.kernels;

import static dev.loraflow.kernels.TestData.assertClose;
import static dev.loraflow.kernels.TestData.uniform;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The k-major GEMM Y (+)= X·B against a float64 scalar sum over awkward shapes: depths across several KC blocks,
 * widths across several NC blocks and partial NR panels, token counts with partial MR tiles, unaligned offsets.
 * W-orientation shapes beyond one column block are checked against {@link MatMulReference} here too.
 */
class GemmTest {
    private static final ThreadPool POOL = new ThreadPool(3);

    @AfterAll
    static void close() {
        POOL.close();
    }

    static List<Arguments> cases() {
        int[][] shapes = {{1, 1}, {5, 17}, {300, 33}, {17, 600}, {513, 70}, {64, 32}};
        int[] ns = {1, 11, 12, 13, 50};
        List<Arguments> out = new ArrayList<>();
        for (Dtype d : new Dtype[] {Dtype.F32, Dtype.BF16, Dtype.F16}) {
            for (int[] s : shapes) {
                for (int n : ns) {
                    for (boolean acc : new boolean[] {false, true}) {
                        out.add(Arguments.of(d, s[0], s[1], n, acc));
                    }
                }
            }
        }
        return out;
    }

    @ParameterizedTest
    @MethodSource("cases")
    void kMajorMatchesScalarSum(Dtype dtype, int depth, int width, int n, boolean accumulate) {
        int pad = 6, xOff = 3, yOff = 2;
        float[] bValues = uniform(depth * 31L + width, depth * width);
        MemorySegment b = TestData.weights(dtype, bValues, pad);
        float[] bf = new float[depth * width];
        dtype.widen(b, pad, bf.length, bf);
        float[] x = uniform(n * 7L + 1, xOff + n * depth + 4);
        float[] initial = uniform(5, yOff + n * width + 3);
        float[] expected = initial.clone();
        float[] tol = new float[expected.length];
        for (int t = 0; t < n; t++) {
            for (int c = 0; c < width; c++) {
                double s = 0, mag = 0;
                for (int k = 0; k < depth; k++) {
                    double p = (double) x[xOff + t * depth + k] * bf[k * width + c];
                    s += p;
                    mag += Math.abs(p);
                }
                int at = yOff + t * width + c;
                expected[at] = (float) ((accumulate ? initial[at] : 0) + s);
                tol[at] = (float) (1e-5 * (mag + Math.abs(initial[at])) + 1e-7);
            }
        }
        float[] actual = initial.clone();
        switch (dtype) {
            case F32 -> Gemm.f32(b, pad, depth, width, x, xOff, actual, yOff, n, accumulate, POOL);
            case BF16 -> Gemm.bf16(b, pad, depth, width, x, xOff, actual, yOff, n, accumulate, POOL);
            case F16 -> Gemm.f16(b, pad, depth, width, x, xOff, actual, yOff, n, accumulate, POOL);
            default -> throw new AssertionError();
        }
        assertClose(expected, actual, tol, dtype + " " + depth + "x" + width + " n=" + n + " acc=" + accumulate);
    }

    @Test
    void floatArrayMatchesSegment() {
        int depth = 70, width = 45, n = 30, off = 5;
        float[] bValues = uniform(9, off + depth * width);
        float[] x = uniform(10, n * depth);
        float[] viaArray = new float[n * width];
        float[] viaSegment = new float[n * width];
        Gemm.f32(bValues, off, depth, width, x, 0, viaArray, 0, n, false, POOL);
        Gemm.f32(MemorySegment.ofArray(bValues), 4L * off, depth, width, x, 0, viaSegment, 0, n, false, POOL);
        assertClose(viaSegment, viaArray, 0f, "float[] vs segment");
    }

    @Test
    void resultDoesNotDependOnThreadCount() {
        int depth = 600, width = 300, n = 77;
        MemorySegment b = TestData.weights(Dtype.BF16, uniform(11, depth * width), 0);
        float[] x = uniform(12, n * depth);
        float[] one = new float[n * width];
        float[] three = new float[n * width];
        try (ThreadPool single = new ThreadPool(1)) {
            Gemm.bf16(b, 0, depth, width, x, 0, one, 0, n, false, single);
        }
        Gemm.bf16(b, 0, depth, width, x, 0, three, 0, n, false, POOL);
        assertClose(one, three, 0f, "1 vs 3 threads");
        MemorySegment wSeg = TestData.weights(Dtype.F32, uniform(13, depth * width), 0);
        float[] a1 = new float[n * depth];
        float[] a3 = new float[n * depth];
        try (ThreadPool single = new ThreadPool(1)) {
            MatMul.f32(wSeg, 0, depth, width, uniform(14, n * width), 0, a1, 0, n, single);
        }
        MatMul.f32(wSeg, 0, depth, width, uniform(14, n * width), 0, a3, 0, n, POOL);
        assertClose(a1, a3, 0f, "W orientation, 1 vs 3 threads");
    }

    @Test
    void wOrientationBeyondOneColumnBlock() {
        int rows = 2 * Gemm.NC + 37, cols = Gemm.KC + 45, n = 2 * Gemm.MR + 5;
        MemorySegment w = TestData.weights(Dtype.BF16, uniform(15, rows * cols), 0);
        float[] x = uniform(16, n * cols);
        float[] expected = new float[n * rows];
        float[] actual = new float[n * rows];
        MatMulReference.bf16(w, 0, rows, cols, x, 0, expected, 0, n);
        MatMul.bf16(w, 0, rows, cols, x, 0, actual, 0, n, POOL);
        assertClose(expected, actual, 2e-4f, "W [" + rows + "][" + cols + "] n=" + n);
    }

    /** Copying X one k block at a time (large X) gives the same bits as copying it all at once. */
    @Test
    void perKBlockCopyOfXMatchesWholeCopy() {
        int rows = Gemm.NC + 37, cols = 2 * Gemm.KC + 45, n = 2 * Gemm.MR + 5;
        MemorySegment w = TestData.weights(Dtype.F32, uniform(20, rows * cols), 0);
        float[] x = uniform(21, n * cols);
        float[] expected = new float[n * rows];
        MatMulReference.f32(w, 0, rows, cols, x, 0, expected, 0, n);
        float[] whole = new float[n * rows];
        float[] perBlock = new float[n * rows];
        Gemm.runBlocked(Dtype.F32, w, 0, rows, cols, x, 0, whole, 0, n, POOL, Gemm.PACK_ALL_LIMIT);
        Gemm.runBlocked(Dtype.F32, w, 0, rows, cols, x, 0, perBlock, 0, n, POOL, 0);
        assertClose(expected, whole, 2e-4f, "whole copy vs reference");
        assertClose(whole, perBlock, 0f, "per k block vs whole copy");
    }

    static List<Arguments> tokenLaneCases() {
        int[][] shapes = {{1, 32}, {13, 2 * Gemm.KC + 32}, {2 * Gemm.MR + 5, 96}};
        int[] ns = {1, MatMul.GEMM_MIN_N, Gemm.NR + 1, Gemm.TOKEN_BLOCK_PANELS * Gemm.NR + 45};
        List<Arguments> out = new ArrayList<>();
        for (Dtype d : Dtype.values()) {
            for (int[] s : shapes) {
                for (int n : ns) {
                    out.add(Arguments.of(d, s[0], s[1] + (d == Dtype.Q8_0 ? 0 : 1), n));
                }
            }
        }
        return out;
    }

    /**
     * The token-lane path (X transposed, W rows broadcast) gives the bits of the blocked path (W packed) with 1 and 3
     * threads, and both match the float64 reference: partial row groups, k blocks, token panels and token blocks.
     */
    @ParameterizedTest
    @MethodSource("tokenLaneCases")
    void tokenLanesMatchBlockedPathBitForBit(Dtype dtype, int rows, int cols, int n) {
        int xOff = 3, yOff = 2;
        MemorySegment w = TestData.weights(dtype, uniform(rows * 13L + cols, rows * cols), cols, 0);
        float[] x = uniform(n * 5L + 2, xOff + n * cols + 4);
        float[] blocked = uniform(6, yOff + n * rows + 3);
        float[] lanes = blocked.clone();
        float[] lanesOneThread = blocked.clone();
        float[] lanesInChunks = blocked.clone();
        Gemm.runBlocked(dtype, w, 0, rows, cols, x, xOff, blocked, yOff, n, POOL, Gemm.PACK_ALL_LIMIT);
        Gemm.tokenLanes(dtype, w, 0, rows, cols, x, xOff, lanes, yOff, n, POOL);
        // Y's transposed copy one row group at a time: every chunk boundary is crossed
        Gemm.tokenLanes(dtype, w, 0, rows, cols, x, xOff, lanesInChunks, yOff, n, POOL, 1);
        try (ThreadPool one = new ThreadPool(1)) {
            Gemm.tokenLanes(dtype, w, 0, rows, cols, x, xOff, lanesOneThread, yOff, n, one);
        }
        String what = dtype + " W [" + rows + "][" + cols + "] n=" + n;
        assertClose(blocked, lanes, 0f, what + ": token lanes vs blocked");
        assertClose(blocked, lanesOneThread, 0f, what + ": token lanes, 1 thread vs blocked");
        assertClose(blocked, lanesInChunks, 0f, what + ": token lanes, Y in chunks of one row group vs blocked");
        float[] expected = new float[n * rows];
        switch (dtype) {
            case F32 -> MatMulReference.f32(w, 0, rows, cols, x, xOff, expected, 0, n);
            case BF16 -> MatMulReference.bf16(w, 0, rows, cols, x, xOff, expected, 0, n);
            case F16 -> MatMulReference.f16(w, 0, rows, cols, x, xOff, expected, 0, n);
            case Q8_0 -> MatMulReference.q8_0(w, 0, rows, cols, x, xOff, expected, 0, n);
        }
        float[] actual = java.util.Arrays.copyOfRange(lanes, yOff, yOff + n * rows);
        assertClose(expected, actual, 2e-4f, what + ": token lanes vs reference");
    }

    /**
     * Several matrices reading one X in one pass give each matrix's bits from the blocked path (which the token-lane
     * path equals, see above; tokenLanes itself now runs through sameInput), with Y's copy whole,
     * one row group at a time and two at a time (chunks that straddle two matrices), and with 1 and 3 threads.
     */
    @ParameterizedTest
    @MethodSource("tokenLaneCases")
    void sameInputMatchesEachProductBitForBit(Dtype dtype, int rows, int cols, int n) {
        int xOff = 3;
        int[] shape = {rows, 13, 1, Gemm.MR};
        MemorySegment[] w = new MemorySegment[shape.length];
        float[][] expected = new float[shape.length][];
        for (int m = 0; m < shape.length; m++) {
            w[m] = TestData.weights(dtype, uniform(m * 101L + cols, shape[m] * cols), cols, 0);
            expected[m] = new float[n * shape[m]];
        }
        float[] x = uniform(n * 5L + 2, xOff + n * cols + 4);
        for (int m = 0; m < shape.length; m++) {
            Gemm.runBlocked(dtype, w[m], 0, shape[m], cols, x, xOff, expected[m], 0, n, POOL, Gemm.PACK_ALL_LIMIT);
        }
        try (ThreadPool one = new ThreadPool(1)) {
            for (ThreadPool pool : new ThreadPool[] {POOL, one}) {
                for (int limit : new int[] {Gemm.Y_COPY_LIMIT, 1, 2 * Gemm.MR * Gemm.NR * MatMul.blocks(n, Gemm.NR)}) {
                    float[][] actual = new float[shape.length][];
                    for (int m = 0; m < shape.length; m++) {
                        actual[m] = uniform(m, n * shape[m]); // stale values must all be overwritten
                    }
                    Gemm.sameInput(dtype, w, new long[shape.length], shape, cols, x, xOff, actual, new int[shape.length],
                            n, pool, limit);
                    for (int m = 0; m < shape.length; m++) {
                        assertClose(expected[m], actual[m], 0f, dtype + " matrix " + m + " of " + shape.length + " ["
                                + shape[m] + "][" + cols + "] n=" + n + " threads=" + pool.threads() + " Y copy limit " + limit);
                    }
                }
            }
        }
    }

    @Test
    void sameInputRejectsMismatchedArgumentsAndTokenCounts() {
        int cols = 32, n = MatMul.GEMM_MIN_N;
        MemorySegment w = TestData.weights(Dtype.F32, uniform(1, 4 * cols), 0);
        float[] x = new float[n * cols];
        MemorySegment[] two = {w, w};
        assertThrows(IllegalArgumentException.class, () -> MatMul.sameInput(Dtype.F32, two, new int[] {4, 4}, cols, x, 0,
                new float[][] {new float[n * 4]}, n, POOL));
        assertThrows(IllegalArgumentException.class, () -> MatMul.sameInput(Dtype.F32, two, new int[] {4, 4}, cols, x, 0,
                new float[][] {new float[4], new float[4]}, 1, POOL));
        assertThrows(IndexOutOfBoundsException.class, () -> MatMul.sameInput(Dtype.F32, two, new int[] {4, 5}, cols, x, 0,
                new float[][] {new float[n * 4], new float[n * 5]}, n, POOL));
        assertThrows(IndexOutOfBoundsException.class, () -> MatMul.sameInput(Dtype.F32, two, new int[] {4, 4}, cols, x, 0,
                new float[][] {new float[n * 4], new float[n * 4 - 1]}, n, POOL));
    }

    /**
     * Each caller's copies of X and Y are its own: two threads sharing one pool, each with its own X, get their own Y,
     * on the blocked path (B [depth][width]) and on the token-lane path (the same floats as W [width][depth]).
     */
    @Test
    void concurrentCallersOnOnePoolKeepTheirOwnX() throws Exception {
        int depth = Gemm.KC + 45, width = 2 * Gemm.NC + 7, n = 3 * Gemm.MR + 1, calls = 20;
        MemorySegment b = TestData.weights(Dtype.F32, uniform(17, depth * width), 0);
        float[][] xs = {uniform(18, n * depth), uniform(19, n * depth)};
        float[][] expected = new float[2][n * width];
        float[][] expectedLanes = new float[2][n * width];
        for (int c = 0; c < 2; c++) {
            Gemm.f32(b, 0, depth, width, xs[c], 0, expected[c], 0, n, false, POOL);
            Gemm.tokenLanes(Dtype.F32, b, 0, width, depth, xs[c], 0, expectedLanes[c], 0, n, POOL);
        }
        float[][] actual = new float[2][n * width];
        Thread[] threads = new Thread[2];
        Throwable[] failures = new Throwable[2];
        for (int c = 0; c < 2; c++) {
            int me = c;
            threads[c] = new Thread(() -> {
                try {
                    for (int i = 0; i < calls; i++) {
                        java.util.Arrays.fill(actual[me], Float.NaN);
                        Gemm.f32(b, 0, depth, width, xs[me], 0, actual[me], 0, n, false, POOL);
                        assertClose(expected[me], actual[me], 0f, "caller " + me + " call " + i);
                        java.util.Arrays.fill(actual[me], Float.NaN);
                        Gemm.tokenLanes(Dtype.F32, b, 0, width, depth, xs[me], 0, actual[me], 0, n, POOL);
                        assertClose(expectedLanes[me], actual[me], 0f, "caller " + me + " call " + i + ", token lanes");
                    }
                } catch (Throwable t) {
                    failures[me] = t;
                }
            });
            threads[c].start();
        }
        for (Thread t : threads) {
            t.join();
        }
        for (Throwable f : failures) {
            if (f != null) {
                throw new AssertionError(f);
            }
        }
    }

    @Test
    void rejectsShortArrays() {
        MemorySegment b = MemorySegment.ofArray(new float[6]);
        assertThrows(IndexOutOfBoundsException.class, () -> Gemm.f32(b, 0, 2, 3, new float[3], 0, new float[6], 0, 2, false, POOL));
        assertThrows(IndexOutOfBoundsException.class, () -> Gemm.f32(b, 0, 2, 3, new float[4], 0, new float[5], 0, 2, false, POOL));
        assertThrows(IndexOutOfBoundsException.class, () -> Gemm.f32(b, 8, 2, 3, new float[4], 0, new float[6], 0, 2, false, POOL));
    }
}
