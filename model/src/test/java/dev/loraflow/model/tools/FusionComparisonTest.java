package dev.loraflow.model.tools;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loraflow.core.DType;
import dev.loraflow.core.LoraflowException;
import dev.loraflow.kernels.ThreadPool;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The comparison's plumbing on the tiny random model; no speed is asserted. */
class FusionComparisonTest {
    @TempDir
    Path tmp;

    private Path model(DType dtype) {
        Path dir = tmp.resolve("tiny-" + dtype);
        try (ThreadPool pool = new ThreadPool(2)) {
            new RandomModelWriter(pool).write(ModelShape.named("tiny").orElseThrow(), dtype, 3, dir);
        }
        return dir;
    }

    @Test
    void mergedModelDecodesLikeStaticFusionAndEveryVariantIsTimed() throws Exception {
        Path temp = Files.createDirectory(tmp.resolve("scratch"));
        FusionComparisonResult r = new FusionComparison(12, 5, 3, 2, 2, 2, 4).run(model(DType.F32), temp);

        assertEquals(FusionComparison.VARIANTS, r.variants().stream().map(FusionComparisonResult.Variant::name).toList());
        for (String v : FusionComparison.VARIANTS) {
            assertEquals(5, r.roundTokensPerSecond(v).length, v);
            assertTrue(r.medianTokensPerSecond(v) > 0 && r.meanTokensPerSecond(v) > 0 && r.prefillTokensPerSecond(v) > 0, v);
        }
        assertArrayEquals(new double[] {1, 1, 1, 1, 1}, r.ratiosToBase("base"), 0);
        assertTrue(r.hasCpuTimes(), "HotSpot on Linux measures thread CPU time");
        for (String v : FusionComparison.VARIANTS) {
            for (long cpu : r.variant(v).roundCpuNanos()) {
                assertTrue(cpu > 0, v + " used CPU time " + cpu);
            }
        }
        assertEquals(1.0, r.cpuRatioToBase("base").median());
        Spread gate = r.ratioToBase("gate");
        assertTrue(gate.min() <= gate.q1() && gate.q1() <= gate.median() && gate.median() <= gate.q3() && gate.q3() <= gate.max());
        // F32 weights: W + ΔW differs from W x + Δ(x) only by float rounding
        assertTrue(r.mergedVsStaticMaxLogitDiff() < 1e-4, "merged vs static " + r.mergedVsStaticMaxLogitDiff());
        assertTrue(r.baseVsStaticMaxLogitDiff() > 100 * r.mergedVsStaticMaxLogitDiff(),
                "the adapters must change the logits: base vs static " + r.baseVsStaticMaxLogitDiff());
        assertEquals((2 + 5) * 3, r.tokensPerVariant());
        assertEquals(r.tokensPerVariant(), r.mergedStaticTokensAgreeing(), "merged and static pick the same greedy tokens");
        try (var left = Files.list(temp)) {
            assertEquals(0, left.count(), "the temporary merged model is deleted");
        }
    }

    @Test
    void mergedBf16ModelStaysCloseToStaticFusion() {
        FusionComparisonResult r = new FusionComparison(8, 1, 2, 0, 1, 2, 4).run(model(DType.BF16), tmp);
        // BF16 keeps 8 mantissa bits: rounding W + ΔW moves logits by far less than the adapters do
        assertTrue(r.mergedVsStaticMaxLogitDiff() < r.baseVsStaticMaxLogitDiff(),
                r.mergedVsStaticMaxLogitDiff() + " vs " + r.baseVsStaticMaxLogitDiff());
    }

    @Test
    void contextBeyondTheModelIsRefusedBeforeAnyWork() {
        // tiny: max_position_embeddings 256
        var tooLong = new FusionComparison(100, 20, 8, 0, 1, 2, 4);
        var e = assertThrows(LoraflowException.class, () -> tooLong.run(model(DType.BF16), tmp));
        assertTrue(e.getMessage().contains("max_position_embeddings"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new FusionComparison(8, 0, 8, 0, 1, 2, 4));
        assertThrows(IllegalArgumentException.class, () -> new FusionComparison(8, 4, 0, 0, 1, 2, 4));
        assertThrows(IllegalArgumentException.class, () -> new FusionComparison(8, 4, 8, -1, 1, 2, 4));
    }

    @Test
    void everyRoundIsAPermutationAndEveryVariantFollowsEveryOther() {
        var random = new java.util.SplittableRandom(7);
        int[] order = new int[4];
        boolean[][] followed = new boolean[4][4];
        int previous = -1;
        for (int round = 0; round < 200; round++) {
            FusionComparison.shuffle(order, random);
            assertArrayEquals(new int[] {0, 1, 2, 3}, java.util.Arrays.stream(order).sorted().toArray());
            for (int i : order) {
                if (previous >= 0) {
                    followed[i][previous] = true;
                }
                previous = i;
            }
        }
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 4; j++) {
                assertTrue(i == j || followed[i][j], i + " never ran right after " + j);
            }
        }
    }

    @Test
    void spreadUsesInterpolatedQuartiles() {
        Spread s = Spread.of(new double[] {4, 1, 3, 2, 5});
        assertEquals(3, s.median());
        assertEquals(2, s.q1());
        assertEquals(4, s.q3());
        assertEquals(1, s.min());
        assertEquals(5, s.max());
        assertEquals(2.5, Spread.of(new double[] {1, 2, 3, 4}).median());
    }
}
