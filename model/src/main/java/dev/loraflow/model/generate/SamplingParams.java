package dev.loraflow.model.generate;

import dev.loraflow.core.LoraflowException;

/**
 * How the next token is chosen. temperature 0 is greedy; topK 0, topP 1, minP 0 and
 * repetitionPenalty 1 switch those filters off. The same seed gives the same tokens.
 */
public record SamplingParams(
        int maxTokens, float temperature, int topK, float topP, float minP, float repetitionPenalty, long seed) {

    public SamplingParams {
        check(maxTokens >= 0, "max-tokens must be >= 0, got " + maxTokens);
        check(temperature >= 0 && Float.isFinite(temperature), "temperature must be >= 0, got " + temperature);
        check(topK >= 0, "top-k must be >= 0 (0 = off), got " + topK);
        check(topP > 0 && topP <= 1, "top-p must be in (0, 1], got " + topP);
        check(minP >= 0 && minP < 1, "min-p must be in [0, 1), got " + minP);
        check(repetitionPenalty > 0 && Float.isFinite(repetitionPenalty),
                "repetition-penalty must be > 0 (1 = off), got " + repetitionPenalty);
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new LoraflowException(message);
        }
    }

    public static SamplingParams greedy(int maxTokens) {
        return new SamplingParams(maxTokens, 0f, 0, 1f, 0f, 1f, 0L);
    }

    public boolean isGreedy() {
        return temperature == 0f;
    }
}
