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
 * The fused MLP ({@link MatMul#swiGlu}) against the scalar references ({@link MatMulReference}, {@link
 * VectorMathReference#siluMul}) and against the unfused path (three products and a SiLU pass), bit for bit where
 * that path's SiLU runs on whole vectors: partial row groups, several k blocks on both sides, one and two token
 * blocks, 1 and 3 threads.
 */
class SwiGluTest {
    private static final ThreadPool POOL = new ThreadPool(3);

    @AfterAll
    static void close() {
        POOL.close();
    }

    static List<Arguments> cases() {
        // a partial second panel at every vector width (NR + 1 alone is below GEMM_MIN_N with 128 or 256 bits)
        int[] ns = {MatMul.GEMM_MIN_N, Math.max(MatMul.GEMM_MIN_N, Gemm.NR) + 1, Gemm.TOKEN_BLOCK_PANELS * Gemm.NR + 45};
        List<Arguments> out = new ArrayList<>();
        for (Dtype d : Dtype.values()) {
            boolean q8 = d == Dtype.Q8_0; // Q8_0 rows are whole blocks of 32
            int[][] shapes = q8 ? new int[][] {{96, 2 * Gemm.KC + 64}, {Gemm.KC + 32, 160}}
                    : new int[][] {{97, 2 * Gemm.KC + 65}, {Gemm.KC + 31, 160}};
            for (int[] s : shapes) {
                for (int n : ns) {
                    out.add(Arguments.of(d, s[0], s[1], n));
                }
            }
        }
        return out;
    }

    @ParameterizedTest
    @MethodSource("cases")
    void matchesReferenceAndUnfusedPath(Dtype dtype, int hidden, int inter, int n) {
        int xOff = 3, yOff = 2;
        MemorySegment gate = TestData.weights(dtype, uniform(inter * 3L + hidden, inter * hidden), hidden, 0);
        MemorySegment up = TestData.weights(dtype, uniform(inter * 5L + hidden, inter * hidden), hidden, 0);
        MemorySegment down = TestData.weights(dtype, uniform(hidden * 7L + inter, hidden * inter), inter, 0);
        float[] x = uniform(n * 11L + 1, xOff + n * hidden + 4);
        float[] fused = uniform(4, yOff + n * hidden + 3);
        float[] fusedOneThread = fused.clone();
        MatMul.swiGlu(dtype, gate, up, down, hidden, inter, x, xOff, fused, yOff, n, POOL);
        try (ThreadPool one = new ThreadPool(1)) {
            MatMul.swiGlu(dtype, gate, up, down, hidden, inter, x, xOff, fusedOneThread, yOff, n, one);
        }
        String what = dtype + " hidden " + hidden + " inter " + inter + " n=" + n;
        assertClose(fused, fusedOneThread, 0f, what + ": 1 thread vs 3");
        float[] actual = java.util.Arrays.copyOfRange(fused, yOff, yOff + n * hidden);

        float[] g = new float[n * inter], u = new float[n * inter], unfused = new float[n * hidden];
        MatMulTest.run(dtype, gate, 0, inter, hidden, x, xOff, g, 0, n, POOL);
        MatMulTest.run(dtype, up, 0, inter, hidden, x, xOff, u, 0, n, POOL);
        VectorMath.siluMul(g, 0, u, 0, g, 0, g.length);
        MatMulTest.run(dtype, down, 0, hidden, inter, g, 0, unfused, 0, n, POOL);
        // the unfused SiLU's scalar tail (past the last whole vector of all n·inter values) rounds its own way
        float bitsOrClose = g.length % Simd.LANES == 0 ? 0f : 1e-5f * maxAbs(unfused);
        assertClose(unfused, actual, bitsOrClose, what + ": fused vs unfused");

        float[] rg = new float[n * inter], ru = new float[n * inter], expected = new float[n * hidden];
        MatMulTest.reference(dtype, gate, 0, inter, hidden, x, xOff, rg, 0, n);
        MatMulTest.reference(dtype, up, 0, inter, hidden, x, xOff, ru, 0, n);
        VectorMathReference.siluMul(rg, 0, ru, 0, rg, 0, rg.length);
        MatMulTest.reference(dtype, down, 0, hidden, inter, rg, 0, expected, 0, n);
        assertClose(expected, actual, 1e-5f * maxAbs(expected) + 1e-4f, what + ": fused vs scalar reference");
    }

    @Test
    void rejectsTokenCountsOutsideTheFusedRangeAndShortBuffers() {
        int hidden = 32, inter = 64, n = MatMul.GEMM_MIN_N;
        MemorySegment gate = TestData.weights(Dtype.F32, uniform(1, inter * hidden), 0);
        MemorySegment down = TestData.weights(Dtype.F32, uniform(2, hidden * inter), 0);
        float[] x = new float[Gemm.TOKEN_LANES_MAX_N * hidden + hidden], y = new float[x.length];
        assertThrows(IllegalArgumentException.class,
                () -> MatMul.swiGlu(Dtype.F32, gate, gate, down, hidden, inter, x, 0, y, 0, 1, POOL));
        assertThrows(IllegalArgumentException.class, () -> MatMul.swiGlu(Dtype.F32, gate, gate, down, hidden, inter,
                x, 0, y, 0, Gemm.TOKEN_LANES_MAX_N + 1, POOL));
        assertThrows(IndexOutOfBoundsException.class,
                () -> MatMul.swiGlu(Dtype.F32, gate, gate, down, hidden, inter, x, 0, new float[n * hidden - 1], 0, n, POOL));
        assertThrows(IndexOutOfBoundsException.class,
                () -> MatMul.swiGlu(Dtype.F32, gate, gate, down, hidden, inter, new float[n * hidden - 1], 0, y, 0, n, POOL));
        assertThrows(IndexOutOfBoundsException.class, // down is [hidden][inter]: the gate's segment is too short for 2·inter
                () -> MatMul.swiGlu(Dtype.F32, gate, gate, down, hidden, 2 * inter, x, 0, y, 0, n, POOL));
    }

    private static float maxAbs(float[] a) {
        float m = 0;
        for (float v : a) {
            m = Math.max(m, Math.abs(v));
        }
        return m;
    }
}
