package dev.loraflow.kernels.grad;

import static dev.loraflow.kernels.grad.GradCheck.assertGradient;
import static dev.loraflow.kernels.grad.GradCheck.centralDifferences;
import static dev.loraflow.kernels.grad.GradCheck.uniform;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.loraflow.kernels.ThreadPool;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * MatMulGrad against central differences of the double forward, and against its double-accumulating scalar twin
 * on awkward shapes (tails below the lane count, tiles of 256 columns, panels of 8 rows, token blocks) for every
 * storage type. Float accumulation of ≤ 1000 products of magnitude ≤ 1 stays within 1e-5 relative of the largest
 * gradient, which is the tolerance used.
 */
class MatMulGradTest {
    private static final ThreadPool POOL = new ThreadPool(3);
    private static final double TOL = 1e-5;

    @AfterAll
    static void close() {
        POOL.close();
    }

    static List<Arguments> shapes() {
        int[][] s = {{1, 1, 1}, {3, 17, 2}, {17, 63, 5}, {70, 300, 3}, {9, 513, 33}, {130, 64, 40}, {2, 1030, 7}, {300, 40, 45}};
        List<Arguments> out = new ArrayList<>();
        for (WeightStorage w : WeightStorage.values()) {
            for (int[] x : s) {
                out.add(Arguments.of(w, x[0], x[1], x[2]));
            }
        }
        return out;
    }

    @Test
    void inputAndWeightGradientsMatchCentralDifferences() {
        int rows = 7, cols = 19, n = 5;
        float[] w = uniform(1, rows * cols), x = uniform(2, n * cols), dy = uniform(3, n * rows);
        float[] dx = new float[n * cols], dw = new float[rows * cols];
        MatMulGrad.input(w, 0, rows, cols, dy, 0, dx, 0, n, POOL);
        MatMulGrad.weight(dy, 0, x, 0, dw, 0, rows, cols, n, POOL);
        assertGradient(centralDifferences(in -> GradCheck.project(GradCheck.linear(in[0], in[1], rows, cols, n), dy), 0, x, w), dx, TOL, "dX");
        assertGradient(centralDifferences(in -> GradCheck.project(GradCheck.linear(in[0], in[1], rows, cols, n), dy), 1, x, w), dw, TOL, "dW");
    }

    @ParameterizedTest
    @MethodSource("shapes")
    void segmentInputGradientMatchesReference(WeightStorage storage, int rows, int cols, int n) {
        int pad = 6; // unaligned weight start
        MemorySegment seg = segment(storage, uniform(rows * 31L + cols, rows * cols), pad);
        float[] w = readBack(storage, seg, pad, rows * cols); // the values the kernel sees after rounding
        float[] dy = uniform(n, 3 + n * rows);
        float[] expected = uniform(7, 2 + n * cols); // accumulates onto what is there
        float[] actual = expected.clone();
        MatMulGradReference.input(w, 0, rows, cols, dy, 3, expected, 2, n);
        switch (storage) {
            case F32 -> MatMulGrad.inputF32(seg, pad, rows, cols, dy, 3, actual, 2, n, POOL);
            case BF16 -> MatMulGrad.inputBf16(seg, pad, rows, cols, dy, 3, actual, 2, n, POOL);
            case F16 -> MatMulGrad.inputF16(seg, pad, rows, cols, dy, 3, actual, 2, n, POOL);
        }
        assertGradient(GradCheck.toDouble(expected), actual, TOL * Math.sqrt(rows), storage + " " + rows + "x" + cols + " n=" + n);
    }

    @ParameterizedTest
    @MethodSource("shapes")
    void arrayGradientsMatchReference(WeightStorage ignored, int rows, int cols, int n) {
        float[] w = uniform(rows + 5L * cols, 4 + rows * cols), x = uniform(9, 1 + n * cols), dy = uniform(n, 3 + n * rows);
        float[] dxExpected = uniform(4, 2 + n * cols), dxActual = dxExpected.clone();
        MatMulGradReference.input(w, 4, rows, cols, dy, 3, dxExpected, 2, n);
        MatMulGrad.input(w, 4, rows, cols, dy, 3, dxActual, 2, n, POOL);
        assertGradient(GradCheck.toDouble(dxExpected), dxActual, TOL * Math.sqrt(rows), "dX " + rows + "x" + cols + " n=" + n);
        float[] dwExpected = uniform(5, 1 + rows * cols), dwActual = dwExpected.clone();
        MatMulGradReference.weight(dy, 3, x, 1, dwExpected, 1, rows, cols, n);
        MatMulGrad.weight(dy, 3, x, 1, dwActual, 1, rows, cols, n, POOL);
        assertGradient(GradCheck.toDouble(dwExpected), dwActual, TOL * Math.sqrt(n), "dW " + rows + "x" + cols + " n=" + n);
    }

    /** Each output element is computed by one thread in a fixed order, so the thread count cannot change a bit. */
    @Test
    void threadCountDoesNotChangeResults() {
        int rows = 37, cols = 700, n = 50;
        float[] w = uniform(1, rows * cols), x = uniform(2, n * cols), dy = uniform(3, n * rows);
        float[] dx1 = new float[n * cols], dx3 = new float[n * cols], dw1 = new float[rows * cols], dw3 = new float[rows * cols];
        try (ThreadPool one = new ThreadPool(1)) {
            MatMulGrad.input(w, 0, rows, cols, dy, 0, dx1, 0, n, one);
            MatMulGrad.weight(dy, 0, x, 0, dw1, 0, rows, cols, n, one);
        }
        MatMulGrad.input(w, 0, rows, cols, dy, 0, dx3, 0, n, POOL);
        MatMulGrad.weight(dy, 0, x, 0, dw3, 0, rows, cols, n, POOL);
        assertArrayEquals(dx1, dx3);
        assertArrayEquals(dw1, dw3);
    }

    static MemorySegment segment(WeightStorage storage, float[] values, int pad) {
        MemorySegment s = Arena.ofAuto().allocate(pad + (long) values.length * storage.bytes + 8, 64);
        s.fill((byte) 0x5a);
        for (int i = 0; i < values.length; i++) {
            long at = pad + (long) i * storage.bytes;
            switch (storage) {
                case F32 -> s.set(WeightStorage.FLOAT, at, values[i]);
                case BF16 -> s.set(WeightStorage.SHORT, at, (short) (Float.floatToRawIntBits(values[i]) >>> 16));
                case F16 -> s.set(WeightStorage.SHORT, at, Float.floatToFloat16(values[i]));
            }
        }
        return s;
    }

    /** Element-by-element scalar decode, independent of the bulk widening under test. */
    static float[] readBack(WeightStorage storage, MemorySegment s, int pad, int count) {
        float[] out = new float[count];
        for (int i = 0; i < count; i++) {
            long at = pad + (long) i * storage.bytes;
            out[i] = switch (storage) {
                case F32 -> s.get(WeightStorage.FLOAT, at);
                case BF16 -> Float.intBitsToFloat(s.get(WeightStorage.SHORT, at) << 16);
                case F16 -> Float.float16ToFloat(s.get(WeightStorage.SHORT, at));
            };
        }
        return out;
    }
}
