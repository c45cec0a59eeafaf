package dev.loraflow.model.experiment;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The paper-style Markdown table: one row per method, accuracy in percent and mean response loss, each as the
 * mean ± the sample standard deviation over seeds (± is omitted for a single seed), and the accuracy of each seed.
 */
public final class ResultsTable {
    private final Map<Long, List<MethodScore>> bySeed = new TreeMap<>();

    public void add(long seed, List<MethodScore> scores) {
        bySeed.put(seed, List.copyOf(scores));
    }

    public List<Long> seeds() {
        return List.copyOf(bySeed.keySet());
    }

    public String markdown() {
        StringBuilder out = new StringBuilder("| Method | Accuracy (%) | Response loss | Accuracy per seed (");
        out.append(String.join(", ", seeds().stream().map(String::valueOf).toList())).append(") |\n");
        out.append("|---|---|---|---|\n");
        for (FusionMethod method : FusionMethod.values()) {
            List<Double> accuracies = new ArrayList<>();
            List<Double> losses = new ArrayList<>();
            for (List<MethodScore> scores : bySeed.values()) {
                scores.stream().filter(s -> s.method() == method).findFirst().ifPresent(s -> {
                    accuracies.add(100 * s.accuracy());
                    losses.add(s.loss());
                });
            }
            if (accuracies.isEmpty()) {
                continue;
            }
            boolean ours = method == FusionMethod.LORA_FLOW;
            out.append("| ").append(ours ? "**" + method.label() + "**" : method.label())
                    .append(" | ").append(meanSpread(accuracies, "%.1f"))
                    .append(" | ").append(meanSpread(losses, "%.3f"))
                    .append(" | ").append(String.join(", ", accuracies.stream().map(a -> format("%.1f", a)).toList()))
                    .append(" |\n");
        }
        return out.toString();
    }

    private static String meanSpread(List<Double> values, String pattern) {
        double mean = values.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
        if (values.size() < 2) {
            return format(pattern, mean);
        }
        double squares = values.stream().mapToDouble(v -> (v - mean) * (v - mean)).sum();
        return format(pattern, mean) + " ± " + format(pattern, Math.sqrt(squares / (values.size() - 1)));
    }

    private static String format(String pattern, double value) {
        return String.format(Locale.ROOT, pattern, value);
    }
}
