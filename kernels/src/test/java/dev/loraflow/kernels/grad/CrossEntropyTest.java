package dev.loraflow.kernels.grad;

import static dev.loraflow.kernels.grad.GradCheck.assertGradient;
import static dev.loraflow.kernels.grad.GradCheck.centralDifferences;
import static dev.loraflow.kernels.grad.GradCheck.uniform;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.loraflow.kernels.ThreadPool;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Masked mean cross-entropy against a double forward: loss to 1e-5 relative (float log-sum-exp over ≤ 1000 terms),
 * gradient against central differences (each entry a softmax probability / count, so 1e-6 of the largest).
 */
class CrossEntropyTest {
    private static final ThreadPool POOL = new ThreadPool(2);

    @AfterAll
    static void close() {
        POOL.close();
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 5, 17, 259})
    void lossAndGradientWithMaskedPositions(int vocab) {
        int n = 5;
        int[] targets = new int[n];
        for (int t = 0; t < n; t++) {
            targets[t] = (t * 7 + 3) % vocab;
        }
        boolean[] counted = {false, true, true, false, true};
        float[] logits = uniform(vocab, n * vocab);
        for (int i = 0; i < logits.length; i++) {
            logits[i] *= 8; // spread wide enough that an unshifted exp sum would lose the small terms
        }
        double exact = forward(GradCheck.toDouble(logits), vocab, targets, counted);
        assertEquals(exact, CrossEntropy.loss(logits, vocab, targets, counted, POOL), 1e-5 * Math.max(1, exact));
        assertEquals(exact, CrossEntropy.lossReference(logits, vocab, targets, counted), 1e-9 * Math.max(1, exact));

        float scale = 0.5f; // an upstream gradient other than 1
        double[] expected = centralDifferences(in -> scale * forward(in[0], vocab, targets, counted), 0, logits);
        float[] d = new float[n * vocab];
        CrossEntropy.gradient(logits, vocab, targets, counted, scale, d, POOL);
        assertGradient(expected, d, 1e-6, "dlogits");
        float[] ref = new float[n * vocab];
        CrossEntropy.gradientReference(logits, vocab, targets, counted, scale, ref);
        assertGradient(expected, ref, 1e-6, "dlogits reference");
        for (int i = 0; i < vocab; i++) {
            assertEquals(0f, d[i], "masked row 0 gets no gradient");
        }
    }

    @Test
    void hugeLogitsStayFinite() {
        // exp(89) overflows float: only the shift by the row maximum keeps the second row finite.
        float[] logits = {1e30f, -1e30f, 0f, 89f, 89f, -1e30f};
        float loss = CrossEntropy.loss(logits, 3, new int[] {0, 1}, new boolean[] {true, true}, POOL);
        assertEquals((0 + Math.log(2)) / 2, loss, 1e-6);
    }

    @Test
    void rejectsAnEmptyMaskAndBadTargets() {
        float[] logits = new float[6];
        assertThrows(IllegalArgumentException.class, () -> CrossEntropy.loss(logits, 3, new int[] {0, 1}, new boolean[2], POOL));
        assertThrows(IllegalArgumentException.class, () -> CrossEntropy.loss(logits, 3, new int[] {0, 3}, new boolean[] {true, true}, POOL));
    }

    static double forward(double[] logits, int vocab, int[] targets, boolean[] counted) {
        double sum = 0;
        int count = 0;
        for (int t = 0; t < targets.length; t++) {
            if (!counted[t]) {
                continue;
            }
            double max = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < vocab; i++) {
                max = Math.max(max, logits[t * vocab + i]);
            }
            double s = 0;
            for (int i = 0; i < vocab; i++) {
                s += Math.exp(logits[t * vocab + i] - max);
            }
            sum += max + Math.log(s) - logits[t * vocab + targets[t]];
            count++;
        }
        return sum / count;
    }
}
