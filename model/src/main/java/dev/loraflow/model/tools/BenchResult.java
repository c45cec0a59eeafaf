package dev.loraflow.model.tools;

import dev.loraflow.model.llama.WeightFormat;
import java.util.OptionalLong;

/**
 * What one benchmark run measured. Memory figures are empty where the OS does not report them.
 *
 * @param decodeBytesPerToken weight bytes one decode step reads (layer matrices and lm_head)
 */
public record BenchResult(
        long loadNanos,
        OptionalLong rssAfterLoadBytes,
        OptionalLong peakRssBytes,
        long weightBytes,
        long kvCacheBytes,
        long decodeBytesPerToken,
        int promptTokens,
        long prefillNanos,
        int genTokens,
        long decodeNanos,
        int threads,
        WeightFormat dtype) {

    public double prefillTokensPerSecond() {
        return promptTokens * 1e9 / prefillNanos;
    }

    public double decodeTokensPerSecond() {
        return genTokens * 1e9 / decodeNanos;
    }

    /** Achieved weight bandwidth while decoding, in GB/s (10^9 bytes). */
    public double decodeGigabytesPerSecond() {
        return decodeBytesPerToken * decodeTokensPerSecond() / 1e9;
    }
}
