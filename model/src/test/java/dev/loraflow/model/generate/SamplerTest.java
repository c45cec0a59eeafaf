package dev.loraflow.model.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loraflow.core.LoraflowException;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Each filter against the distribution it must leave, counted over many draws. */
class SamplerTest {
    // probabilities (softmax of these logits at T = 1): 0.5, 0.25, 0.125, 0.0625, 0.0625
    private static final float[] LOGITS = {
        (float) Math.log(0.5), (float) Math.log(0.25), (float) Math.log(0.125), (float) Math.log(0.0625), (float) Math.log(0.0625)
    };

    private static Map<Integer, Integer> histogram(SamplingParams params, int draws) {
        Sampler sampler = new Sampler(params, LOGITS.length);
        Map<Integer, Integer> counts = new HashMap<>();
        for (int i = 0; i < draws; i++) {
            counts.merge(sampler.sample(LOGITS.clone()), 1, Integer::sum);
        }
        return counts;
    }

    private static SamplingParams params(float t, int k, float p, float minP, float penalty, long seed) {
        return new SamplingParams(10, t, k, p, minP, penalty, seed);
    }

    @Test
    void greedyTakesTheArgmax() {
        assertEquals(Map.of(0, 100), histogram(SamplingParams.greedy(1), 100));
    }

    @Test
    void plainSamplingFollowsTheSoftmax() {
        Map<Integer, Integer> h = histogram(params(1f, 0, 1f, 0f, 1f, 1), 40_000);
        // binomial standard deviation at p = 0.5 over 40k draws is 0.0025: 0.01 is four of them
        assertEquals(0.5, h.get(0) / 40_000.0, 0.01);
        assertEquals(0.25, h.get(1) / 40_000.0, 0.01);
        assertEquals(0.0625, h.get(4) / 40_000.0, 0.01);
    }

    @Test
    void topKKeepsTheKMostLikely() {
        Map<Integer, Integer> h = histogram(params(1f, 2, 1f, 0f, 1f, 2), 30_000);
        assertEquals(2, h.size(), h.toString());
        assertEquals(2.0 / 3, h.get(0) / 30_000.0, 0.015); // renormalised: 0.5 / 0.75
    }

    @Test
    void topPKeepsTheSmallestHeadReachingP() {
        // cumulative 0.5, 0.75, 0.875: p = 0.7 keeps tokens 0 and 1
        assertEquals(2, histogram(params(1f, 0, 0.7f, 0f, 1f, 3), 5_000).size());
        assertEquals(1, histogram(params(1f, 0, 0.3f, 0f, 1f, 3), 1_000).size(), "the top token is always kept");
    }

    @Test
    void minPDropsTokensBelowAFractionOfTheTop() {
        // min-p 0.2: threshold 0.1 keeps 0.5, 0.25, 0.125
        assertEquals(3, histogram(params(1f, 0, 1f, 0.2f, 1f, 4), 10_000).size());
    }

    @Test
    void repetitionPenaltyDividesPositiveAndMultipliesNegativeLogits() {
        Sampler sampler = new Sampler(params(0f, 0, 1f, 0f, 2f, 0), 3);
        sampler.observe(0);
        sampler.observe(2);
        float[] logits = {3f, 2f, -1f};
        assertEquals(1, sampler.sample(logits), "3/2 = 1.5 < 2, so token 1 wins");
        assertEquals(1.5f, logits[0]);
        assertEquals(-2f, logits[2]);
    }

    @Test
    void sameSeedSameDrawsAndLowTemperatureSharpens() {
        assertEquals(histogram(params(1f, 0, 0.9f, 0f, 1f, 9), 500), histogram(params(1f, 0, 0.9f, 0f, 1f, 9), 500));
        Map<Integer, Integer> cold = histogram(params(0.1f, 0, 1f, 0f, 1f, 5), 2_000);
        assertTrue(cold.getOrDefault(0, 0) > 1_990, cold.toString());
    }

    @Test
    void impossibleSettingsAreRefused() {
        assertThrows(LoraflowException.class, () -> params(-1f, 0, 1f, 0f, 1f, 0));
        assertThrows(LoraflowException.class, () -> params(1f, -1, 1f, 0f, 1f, 0));
        assertThrows(LoraflowException.class, () -> params(1f, 0, 0f, 0f, 1f, 0));
        assertThrows(LoraflowException.class, () -> params(1f, 0, 1f, 1f, 1f, 0));
        assertThrows(LoraflowException.class, () -> params(1f, 0, 1f, 0f, 0f, 0));
    }

    /** The heap that replaced a full sort yields keys in exactly the order a sort would place them at the tail. */
    @Test
    void heapPopsLeaveTheSortedTail() {
        java.util.SplittableRandom r = new java.util.SplittableRandom(3);
        for (int n : new int[] {1, 2, 5, 100, 1000}) {
            long[] keys = new long[n];
            for (int i = 0; i < n; i++) {
                keys[i] = ((long) r.nextInt(50) << 32) | i; // many equal high halves, as with tied probabilities
            }
            long[] sorted = keys.clone();
            java.util.Arrays.sort(sorted);
            long[] heap = keys.clone();
            Sampler.heapify(heap, n);
            for (int j = 0; j < n; j++) {
                Sampler.popLargest(heap, n - j);
                assertEquals(sorted[n - 1 - j], heap[n - 1 - j], "n=" + n + " pop " + j);
            }
        }
    }
}
