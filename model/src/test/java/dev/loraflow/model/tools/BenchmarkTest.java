package dev.loraflow.model.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loraflow.core.DType;
import dev.loraflow.kernels.ThreadPool;
import dev.loraflow.model.llama.WeightFormat;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchmarkTest {
    @Test
    void measuresTheTinyModel(@TempDir Path dir) {
        try (ThreadPool pool = new ThreadPool(2)) {
            new RandomModelWriter(pool).write(ModelShape.named("tiny").orElseThrow(), DType.BF16, 1, dir);
        }
        BenchResult r = new Benchmark(20, 5, 2).run(dir);

        long d = 64, inter = 172, kv = 32, vocab = 512, layers = 2;
        long matrices = layers * (2 * d * d + 2 * kv * d + 3 * d * inter) + vocab * d; // layer matrices + lm_head
        assertEquals(2 * matrices, r.decodeBytesPerToken());
        assertEquals(2 * matrices + 2 * (vocab * d + (2 * layers + 1) * d), r.weightBytes());
        assertEquals(2L * layers * (20 + 5) * kv * Float.BYTES, r.kvCacheBytes(), "KV cache sized to prompt + generated");
        assertEquals(WeightFormat.BF16, r.dtype());
        assertEquals(2, r.threads());
        assertTrue(r.prefillTokensPerSecond() > 0);
        assertTrue(r.decodeTokensPerSecond() > 0);
        assertEquals(r.decodeBytesPerToken() * r.decodeTokensPerSecond() / 1e9, r.decodeGigabytesPerSecond(), 1e-9);
        assertTrue(r.loadNanos() > 0);
    }
}
