package dev.loraflow.model.tools;

import java.util.Arrays;

/**
 * The median and quartiles of a sample (linear interpolation between order statistics, as numpy's default),
 * with its extremes: a noisy benchmark's figures are summarised by where they lie, not by one run.
 */
public record Spread(double median, double q1, double q3, double min, double max) {
    public static Spread of(double[] values) {
        if (values.length == 0) {
            throw new IllegalArgumentException("no values to summarise");
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return new Spread(quantile(sorted, 0.5), quantile(sorted, 0.25), quantile(sorted, 0.75),
                sorted[0], sorted[sorted.length - 1]);
    }

    /** The q-quantile of sorted values. */
    static double quantile(double[] sorted, double q) {
        double pos = q * (sorted.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(lo + 1, sorted.length - 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }
}
