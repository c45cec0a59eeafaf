package dev.loraflow.kernels;

import static dev.loraflow.kernels.TestData.assertClose;
import static dev.loraflow.kernels.TestData.uniform;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * MatMul against MatMulReference for every dtype, n = 1 (matvec) and n > 1, unaligned weight offsets and
 * x/y offsets. Both sides read the same stored weights, so the only difference is float vs double accumulation:
 * each output is compared with 1e-5 relative to sum_c |w*x| (see VectorMathTest for the bound).
 */
class MatMulTest {
    private static final ThreadPool POOL = new ThreadPool(3);

    @AfterAll
    static void close() {
        POOL.close();
    }

    static List<Arguments> cases() {
        // cols: below, at and either side of whole BF16 blocks (2 float vectors: 32 at 512 bits, 16 at 256, 8 at 128)
        int[][] shapes = {{1, 1}, {3, 17}, {17, 63}, {63, 4097}, {5, 130}, {70, 33}, {1, 4097}, {3, 32}, {17, 31}, {4, 64}, {9, 16}, {6, 8}};
        int[] ns = {1, 2, 3, 17, MatMul.GEMM_MIN_N, MatMul.GEMM_MIN_N + 9}; // matvec, few-token path, packed GEMM
        List<Arguments> out = new ArrayList<>();
        int[][] q8Shapes = {{1, 32}, {3, 64}, {17, 96}, {63, 4096}, {70, 288}};
        for (Dtype d : Dtype.values()) {
            for (int[] s : d == Dtype.Q8_0 ? q8Shapes : shapes) {
                for (int n : ns) {
                    out.add(Arguments.of(d, s[0], s[1], n));
                }
            }
        }
        return out;
    }

    @ParameterizedTest
    @MethodSource("cases")
    void matchesReference(Dtype dtype, int rows, int cols, int n) {
        int pad = 6; // unaligned for every dtype
        int xOff = 3;
        int yOff = 2;
        float[] wValues = uniform(rows * 31L + cols, rows * cols);
        MemorySegment w = TestData.weights(dtype, wValues, cols, pad);
        float[] x = uniform(n * 7L + 1, xOff + n * cols + 4);
        float[] expected = new float[yOff + n * rows + 3];
        float[] actual = new float[expected.length];
        reference(dtype, w, pad, rows, cols, x, xOff, expected, yOff, n);
        run(dtype, w, pad, rows, cols, x, xOff, actual, yOff, n, POOL);
        assertClose(expected, actual, tolerance(dtype, w, pad, rows, cols, x, xOff, yOff, n, expected.length),
                dtype + " " + rows + "x" + cols + " n=" + n);
    }

    @Test
    void singleThreadAndPooledAgreeExactly() {
        int rows = 45, cols = 301, n = 5;
        MemorySegment w = TestData.weights(Dtype.BF16, uniform(3, rows * cols), 0);
        float[] x = uniform(4, (MatMul.GEMM_MIN_N + 3) * cols);
        for (int nn : new int[] {1, n, MatMul.GEMM_MIN_N + 3}) {
            float[] a = new float[nn * rows];
            float[] b = new float[nn * rows];
            try (ThreadPool one = new ThreadPool(1)) {
                MatMul.bf16(w, 0, rows, cols, x, 0, a, 0, nn, one);
            }
            MatMul.bf16(w, 0, rows, cols, x, 0, b, 0, nn, POOL);
            assertClose(a, b, 0f, "pool vs single thread n=" + nn);
        }
    }

    static void reference(Dtype d, MemorySegment w, long wOff, int rows, int cols, float[] x, int xOff, float[] y, int yOff, int n) {
        switch (d) {
            case F32 -> MatMulReference.f32(w, wOff, rows, cols, x, xOff, y, yOff, n);
            case BF16 -> MatMulReference.bf16(w, wOff, rows, cols, x, xOff, y, yOff, n);
            case F16 -> MatMulReference.f16(w, wOff, rows, cols, x, xOff, y, yOff, n);
            case Q8_0 -> MatMulReference.q8_0(w, wOff, rows, cols, x, xOff, y, yOff, n);
        }
    }

    static void run(Dtype d, MemorySegment w, long wOff, int rows, int cols, float[] x, int xOff, float[] y, int yOff, int n, ThreadPool pool) {
        switch (d) {
            case F32 -> MatMul.f32(w, wOff, rows, cols, x, xOff, y, yOff, n, pool);
            case BF16 -> MatMul.bf16(w, wOff, rows, cols, x, xOff, y, yOff, n, pool);
            case F16 -> MatMul.f16(w, wOff, rows, cols, x, xOff, y, yOff, n, pool);
            case Q8_0 -> MatMul.q8_0(w, wOff, rows, cols, x, xOff, y, yOff, n, pool);
        }
    }

    /** 1e-5 * sum_c |w[r][c] * x[t][c]| per output; 0 outside the written range. */
    private static float[] tolerance(Dtype d, MemorySegment w, long wOff, int rows, int cols, float[] x, int xOff, int yOff, int n, int len) {
        float[] absW = new float[rows * cols];
        float[] wf = new float[rows * cols];
        float[] row = new float[cols];
        for (int r = 0; r < rows; r++) {
            d.widenRow(w, wOff, cols, r, 0, cols, row);
            System.arraycopy(row, 0, wf, r * cols, cols);
        }
        for (int i = 0; i < wf.length; i++) {
            absW[i] = Math.abs(wf[i]);
        }
        float[] absX = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            absX[i] = Math.abs(x[i]);
        }
        MemorySegment absSeg = MemorySegment.ofArray(absW);
        float[] mag = new float[len];
        MatMulReference.matmul((s, o, i) -> absW[(int) i], absSeg, 0, rows, cols, absX, xOff, mag, yOff, n);
        for (int i = 0; i < len; i++) {
            mag[i] = 1e-5f * mag[i] + 1e-7f;
        }
        return mag;
    }
}
