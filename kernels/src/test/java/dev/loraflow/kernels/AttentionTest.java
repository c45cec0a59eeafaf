package dev.loraflow.kernels;

import static dev.loraflow.kernels.TestData.assertClose;
import static dev.loraflow.kernels.TestData.uniform;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Attention against its double-precision reference. Each output is a convex combination of value entries in
 * [-1, 1]; float scores (relative error ~1e-7 of |score| <= ~headDim*scale) and a float softmax keep every output
 * within 1e-5 absolute.
 */
class AttentionTest {
    private static final ThreadPool POOL = new ThreadPool(2);

    @AfterAll
    static void close() {
        POOL.close();
    }

    static List<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        int[][] headShapes = {{4, 4}, {8, 4}, {6, 2}, {8, 2}, {32, 8}}; // GQA ratios 1, 2, 3 (a pair and one), 4, 4
        for (int[] hs : headShapes) {
            for (int headDim : new int[] {8, 17, 64}) {
                for (int[] sn : new int[][] {{0, 1}, {0, 5}, {9, 1}, {13, 4}, {100, 3}, {30, 70}}) { // 30 + 70: query and key blocks
                    out.add(Arguments.of(hs[0], hs[1], headDim, sn[0], sn[1]));
                }
            }
        }
        return out;
    }

    @ParameterizedTest
    @MethodSource("cases")
    void matchesReference(int heads, int kvHeads, int headDim, int start, int n) {
        check(heads, kvHeads, headDim, start, n, POOL);
    }

    @Test
    void largeContextAndGrowingScratch() {
        check(8, 2, 64, 10, 2, POOL);
        check(8, 2, 64, 3000, 1, POOL); // scratch grows from 12 to 3001 scores
        try (ThreadPool one = new ThreadPool(1)) {
            check(4, 2, 32, 700, 9, one);
        }
    }

    /** Cached == recomputed: each row of a prefill gives the bits of the same row decoded alone against the cache. */
    @ParameterizedTest
    @CsvSource({"32, 4, 64, 50, 37", "8, 2, 17, 0, 150", "4, 4, 8, 30, 3", "6, 2, 64, 5, 40"})
    void prefillRowsEqualDecodedRowsBitForBit(int heads, int kvHeads, int headDim, int start, int n) {
        int ctx = start + n, width = heads * headDim;
        float[] q = uniform(3, n * width);
        float[] k = uniform(4, ctx * kvHeads * headDim);
        float[] v = uniform(5, ctx * kvHeads * headDim);
        float scale = (float) (1 / Math.sqrt(headDim));
        float[] prefill = new float[n * width];
        Attention.causal(q, 0, k, v, prefill, 0, start, n, heads, kvHeads, headDim, scale, POOL);
        float[] decoded = new float[n * width];
        for (int t = 0; t < n; t++) {
            Attention.causal(q, t * width, k, v, decoded, t * width, start + t, 1, heads, kvHeads, headDim, scale, POOL);
        }
        assertClose(prefill, decoded, 0f, "heads=" + heads + "/" + kvHeads + " d=" + headDim + " start=" + start + " n=" + n);
    }

    private static void check(int heads, int kvHeads, int headDim, int start, int n, ThreadPool pool) {
        int ctx = start + n + 2;
        int qOff = 3;
        int outOff = 1;
        float[] q = uniform(heads * 1000L + start, qOff + n * heads * headDim);
        for (int i = 0; i < q.length; i++) {
            q[i] *= 3; // sharper attention distributions
        }
        float[] k = uniform(17 + kvHeads, ctx * kvHeads * headDim);
        float[] v = uniform(29 + headDim, ctx * kvHeads * headDim);
        float[] expected = new float[outOff + n * heads * headDim + 2];
        float[] actual = new float[expected.length];
        float scale = (float) (1 / Math.sqrt(headDim));
        Attention.causalReference(q, qOff, k, v, expected, outOff, start, n, heads, kvHeads, headDim, scale);
        Attention.causal(q, qOff, k, v, actual, outOff, start, n, heads, kvHeads, headDim, scale, pool);
        assertClose(expected, actual, 1e-5f, "heads=" + heads + "/" + kvHeads + " d=" + headDim + " start=" + start + " n=" + n);
    }
}
