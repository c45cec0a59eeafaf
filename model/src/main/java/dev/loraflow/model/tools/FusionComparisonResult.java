package dev.loraflow.model.tools;

import java.util.List;

/**
 * What {@link FusionComparison} measured.
 *
 * @param variants                     base, static, gate, merged, in that order
 * @param mergedVsStaticMaxLogitDiff   max |Δ| between the merged model's and static fusion's logits after the prompt
 *                                     (the merged weights are rounded to the file's dtype, so not exactly 0)
 * @param baseVsStaticMaxLogitDiff     the same against the base model: what the adapters change
 * @param mergedStaticTokensAgreeing   leading greedy tokens (warm-up and timed) that merged and static share
 * @param tokensPerVariant             greedy tokens each variant decoded, warm-up included
 */
public record FusionComparisonResult(
        int promptTokens,
        int rounds,
        int tokensPerRound,
        int warmupRounds,
        int threads,
        int adapters,
        int adapterRank,
        long mergeNanos,
        List<Variant> variants,
        double mergedVsStaticMaxLogitDiff,
        double baseVsStaticMaxLogitDiff,
        int mergedStaticTokensAgreeing,
        int tokensPerVariant) {

    /**
     * One variant's timings: the prefill, and each timed round's decode of {@code tokensPerRound} tokens in wall time
     * and in CPU time of the decoding threads ({@code roundCpuNanos} null where the JVM cannot measure thread CPU time).
     */
    public record Variant(String name, long prefillNanos, long[] roundNanos, long[] roundCpuNanos) {}

    public boolean hasCpuTimes() {
        return variants.stream().allMatch(v -> v.roundCpuNanos() != null);
    }

    public Variant variant(String name) {
        return variants.stream().filter(v -> v.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no variant '" + name + "'"));
    }

    public double prefillTokensPerSecond(String name) {
        return promptTokens * 1e9 / variant(name).prefillNanos();
    }

    /** Each timed round's decode speed. */
    public double[] roundTokensPerSecond(String name) {
        return perSecond(variant(name).roundNanos());
    }

    /** Each timed round's tokens per CPU-second of the decoding threads (all threads' time summed). */
    public double[] roundTokensPerCpuSecond(String name) {
        return perSecond(variant(name).roundCpuNanos());
    }

    private double[] perSecond(long[] nanos) {
        double[] tps = new double[nanos.length];
        for (int i = 0; i < nanos.length; i++) {
            tps[i] = tokensPerRound * 1e9 / nanos[i];
        }
        return tps;
    }

    public double medianTokensPerSecond(String name) {
        return Spread.of(roundTokensPerSecond(name)).median();
    }

    /** All timed tokens over all timed time (not the mean of the rounds' speeds, which overweights fast rounds). */
    public double meanTokensPerSecond(String name) {
        long total = 0;
        for (long n : variant(name).roundNanos()) {
            total += n;
        }
        return (double) rounds * tokensPerRound * 1e9 / total;
    }

    /** Per round, the variant's speed over the base model's speed in the same round (1.0 = no overhead). */
    public double[] ratiosToBase(String name) {
        long[] base = variant("base").roundNanos();
        long[] other = variant(name).roundNanos();
        double[] r = new double[rounds];
        for (int i = 0; i < rounds; i++) {
            r[i] = (double) base[i] / other[i];
        }
        return r;
    }

    public Spread ratioToBase(String name) {
        return Spread.of(ratiosToBase(name));
    }

    /** Per round, base CPU time over the variant's CPU time: the work ratio, insensitive to waiting for a core. */
    public Spread cpuRatioToBase(String name) {
        long[] base = variant("base").roundCpuNanos();
        long[] other = variant(name).roundCpuNanos();
        double[] r = new double[rounds];
        for (int i = 0; i < rounds; i++) {
            r[i] = (double) base[i] / other[i];
        }
        return Spread.of(r);
    }
}
