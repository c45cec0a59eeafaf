package dev.loraflow.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loraflow.model.tools.FusionComparison;
import dev.loraflow.model.tools.FusionComparisonResult;
import dev.loraflow.model.tools.Spread;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Prints a {@code bench --compare-fusion} result as a table or one JSON line. */
final class FusionReport {
    private FusionReport() {}

    static String table(FusionComparisonResult r, String loadBefore, String loadAfter) {
        List<String> lines = new ArrayList<>();
        lines.add(String.format(Locale.ROOT, "%d random adapters of rank %d on all seven projections; %d timed rounds x %d"
                        + " tokens per variant (after %d warm-up rounds), random order each round; %d-token prompt; %d threads",
                r.adapters(), r.adapterRank(), r.rounds(), r.tokensPerRound(), r.warmupRounds(), r.promptTokens(), r.threads()));
        lines.add("variant  decode tok/s median  mean   prefill tok/s   per-round tok/s ratio to base: median [q1, q3] (min-max)");
        for (String v : FusionComparison.VARIANTS) {
            Spread s = r.ratioToBase(v);
            lines.add(String.format(Locale.ROOT, "%-8s %19.2f %6.2f %15.1f   %s", v, r.medianTokensPerSecond(v),
                    r.meanTokensPerSecond(v), r.prefillTokensPerSecond(v), v.equals("base") ? "-"
                            : String.format(Locale.ROOT, "%.3f [%.3f, %.3f] (%.3f-%.3f)", s.median(), s.q1(), s.q3(), s.min(), s.max())));
        }
        if (r.hasCpuTimes()) {
            lines.add("CPU time of the decoding threads (insensitive to waiting for a core; spin-waits included):");
            lines.add("variant  tok per CPU-s median   per-round CPU ratio to base: median [q1, q3] (min-max)");
            for (String v : FusionComparison.VARIANTS) {
                Spread s = r.cpuRatioToBase(v);
                lines.add(String.format(Locale.ROOT, "%-8s %20.2f   %s", v, Spread.of(r.roundTokensPerCpuSecond(v)).median(),
                        v.equals("base") ? "-" : String.format(Locale.ROOT, "%.3f [%.3f, %.3f] (%.3f-%.3f)",
                                s.median(), s.q1(), s.q3(), s.min(), s.max())));
            }
        }
        lines.add(String.format(Locale.ROOT, "merged vs static: max |logit difference| %.4g after the prompt (base vs static %.4g);"
                        + " greedy tokens agree for the first %d of %d", r.mergedVsStaticMaxLogitDiff(), r.baseVsStaticMaxLogitDiff(),
                r.mergedStaticTokensAgreeing(), r.tokensPerVariant()));
        lines.add(String.format(Locale.ROOT, "merge: %.1f s; load average before: %s, after: %s", r.mergeNanos() / 1e9,
                loadBefore == null ? "n/a" : loadBefore, loadAfter == null ? "n/a" : loadAfter));
        return String.join(System.lineSeparator(), lines);
    }

    static String json(FusionComparisonResult r, String loadBefore, String loadAfter) throws Exception {
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode n = mapper.createObjectNode();
        n.put("adapters", r.adapters());
        n.put("adapter_rank", r.adapterRank());
        n.put("rounds", r.rounds());
        n.put("tokens_per_round", r.tokensPerRound());
        n.put("warmup_rounds", r.warmupRounds());
        n.put("prompt_tokens", r.promptTokens());
        n.put("threads", r.threads());
        ObjectNode variants = n.putObject("variants");
        for (String v : FusionComparison.VARIANTS) {
            ObjectNode o = variants.putObject(v);
            o.put("decode_tok_s_median", r.medianTokensPerSecond(v));
            o.put("decode_tok_s_mean", r.meanTokensPerSecond(v));
            o.put("prefill_tok_s", r.prefillTokensPerSecond(v));
            var rounds = o.putArray("round_tok_s");
            for (double t : r.roundTokensPerSecond(v)) {
                rounds.add(t);
            }
            if (!v.equals("base")) {
                put(o.putObject("ratio_to_base"), r.ratioToBase(v));
            }
            if (r.hasCpuTimes()) {
                o.put("decode_tok_per_cpu_s_median", Spread.of(r.roundTokensPerCpuSecond(v)).median());
                if (!v.equals("base")) {
                    put(o.putObject("cpu_ratio_to_base"), r.cpuRatioToBase(v));
                }
            }
        }
        n.put("merged_vs_static_max_logit_diff", r.mergedVsStaticMaxLogitDiff());
        n.put("base_vs_static_max_logit_diff", r.baseVsStaticMaxLogitDiff());
        n.put("merged_static_tokens_agreeing", r.mergedStaticTokensAgreeing());
        n.put("tokens_per_variant", r.tokensPerVariant());
        n.put("merge_s", r.mergeNanos() / 1e9);
        n.put("loadavg_before", loadBefore);
        n.put("loadavg_after", loadAfter);
        return mapper.writeValueAsString(n);
    }

    private static void put(ObjectNode o, Spread s) {
        o.put("median", s.median());
        o.put("q1", s.q1());
        o.put("q3", s.q3());
        o.put("min", s.min());
        o.put("max", s.max());
    }
}
