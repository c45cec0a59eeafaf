package dev.loraflow.model;

/** A finished generation: the prompt ids, the generated ids, their text and timings. */
public record Completion(int[] promptIds, int[] ids, String text, long prefillNanos, long decodeNanos) {
    public double prefillTokensPerSecond() {
        return promptIds.length / Math.max(1e-9, prefillNanos / 1e9);
    }

    /** Decode speed over the tokens after the first (whose time is in the prefill). */
    public double decodeTokensPerSecond() {
        return ids.length <= 1 ? 0 : (ids.length - 1) / Math.max(1e-9, decodeNanos / 1e9);
    }
}
