package dev.loraflow.core.config;

/** The {@code rope_scaling} entry of config.json. */
public sealed interface RopeScaling {
    /** Plain RoPE. */
    record None() implements RopeScaling {}

    /** Position interpolation: every frequency divided by {@code factor}. */
    record Linear(double factor) implements RopeScaling {}

    /** Llama 3.1's piecewise scaling of low frequencies with a smooth band in between. */
    record Llama3(double factor, double lowFreqFactor, double highFreqFactor, int originalMaxPositionEmbeddings)
            implements RopeScaling {}
}
