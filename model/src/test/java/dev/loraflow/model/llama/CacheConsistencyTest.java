package dev.loraflow.model.llama;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loraflow.core.LoraflowException;
import dev.loraflow.kernels.ThreadPool;
import dev.loraflow.model.Fixtures;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Algebraic identities of the forward pass: cached decode == recompute, batched prefill == token by token. */
class CacheConsistencyTest {
    @ParameterizedTest
    @ValueSource(strings = {"gqa2", "gqa4", "bias", "bf16", "rope_llama3"})
    void tokenByTokenEqualsBatchedPrefill(String name) {
        Path dir = Fixtures.dir("forward/" + name);
        int[] ids = Fixtures.readIds(dir.resolve("ids.txt"));
        try (LlamaModel model = LlamaModel.load(dir); ThreadPool pool = new ThreadPool(2)) {
            int vocab = model.config().vocabSize();
            float[] batched = new InferenceSession(model, ids.length, pool).forwardAll(ids);
            InferenceSession stepwise = new InferenceSession(model, ids.length, pool);
            float[] steps = new float[batched.length];
            for (int t = 0; t < ids.length; t++) {
                float[] logits = stepwise.forward(ids, t, 1);
                System.arraycopy(logits, 0, steps, t * vocab, vocab);
            }
            // GEMM (batched) and matvec (one token) sum in different orders: allow float rounding, relative to the
            // logits' size (a cache bug moves logits by O(1), not by millionths)
            double tolerance = 5e-6 * Math.max(1, maxAbs(batched));
            double diff = Fixtures.maxAbsDiff(batched, steps);
            assertTrue(diff < tolerance, name + ": batched vs token-by-token differ by " + diff + " (tolerance " + tolerance + ")");

            // a prompt prefix prefilled, then decoded with the cache == recomputing everything at once
            InferenceSession mixed = new InferenceSession(model, ids.length, pool);
            int prefix = ids.length / 2;
            mixed.forward(ids, 0, prefix);
            for (int t = prefix; t < ids.length; t++) {
                float[] logits = mixed.forward(ids, t, 1);
                double d = Fixtures.maxAbsDiff(Arrays.copyOfRange(batched, t * vocab, (t + 1) * vocab), logits);
                assertTrue(d < tolerance, name + ": cached decode at " + t + " differs by " + d + " (tolerance " + tolerance + ")");
            }
        }
    }

    private static double maxAbs(float[] values) {
        double max = 0;
        for (float v : values) {
            max = Math.max(max, Math.abs(v));
        }
        return max;
    }

    @org.junit.jupiter.api.Test
    void missingOrMisshapenTensorsNameTheTensor(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        Path source = Fixtures.dir("forward/gqa2");
        java.nio.file.Files.copy(source.resolve("config.json"), tmp.resolve("config.json"));
        var writer = new dev.loraflow.core.safetensors.SafetensorsWriter();
        try (var f = dev.loraflow.core.safetensors.SafetensorsFile.open(source.resolve("model.safetensors"))) {
            for (var t : f.tensors().values()) {
                if (!t.name().equals("model.layers.1.mlp.up_proj.weight")) {
                    writer.add(t.name(), t.dtype(), t.shape(), t.data());
                }
            }
            writer.write(tmp.resolve("model.safetensors"));
        }
        LoraflowException e = assertThrows(LoraflowException.class, () -> LlamaModel.load(tmp));
        assertTrue(e.getMessage().contains("'model.layers.1.mlp.up_proj.weight'") && e.getMessage().contains("missing"), e.getMessage());

        String config = java.nio.file.Files.readString(source.resolve("config.json"));
        java.nio.file.Files.writeString(tmp.resolve("config.json"), config.replaceFirst("\"hidden_size\": *32", "\"hidden_size\": 48"));
        java.nio.file.Files.copy(source.resolve("model.safetensors"), tmp.resolve("model.safetensors"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        e = assertThrows(LoraflowException.class, () -> LlamaModel.load(tmp));
        assertTrue(e.getMessage().contains("model.embed_tokens.weight") && e.getMessage().contains("shape"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"gqa2"})
    void contextOverflowAndBadIdsAreClearErrors(String name) {
        Path dir = Fixtures.dir("forward/" + name);
        try (LlamaModel model = LlamaModel.load(dir); ThreadPool pool = new ThreadPool(1)) {
            InferenceSession session = new InferenceSession(model, 2, pool);
            LoraflowException e = assertThrows(LoraflowException.class, () -> session.forward(new int[] {1, 5, 6}, 0, 3));
            assertTrue(e.getMessage().contains("context full"), e.getMessage());
            e = assertThrows(LoraflowException.class, () -> session.forward(new int[] {100000}, 0, 1));
            assertTrue(e.getMessage().contains("100000"), e.getMessage());
        }
    }
}
