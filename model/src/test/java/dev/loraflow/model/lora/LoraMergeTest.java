package dev.loraflow.model.lora;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loraflow.core.DType;
import dev.loraflow.core.LoraflowException;
import dev.loraflow.kernels.ThreadPool;
import dev.loraflow.model.Fixtures;
import dev.loraflow.model.llama.InferenceSession;
import dev.loraflow.model.llama.LlamaModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LoraMergeTest {
    @TempDir
    Path tmp;

    @Test
    void mergedModelEqualsUnmergedStaticFusion() {
        Path base = Fixtures.dir("forward/gqa2");
        Path two = Fixtures.dir("lora/two_adapters");
        int[] ids = Fixtures.readIds(base.resolve("ids.txt"));
        Path out = tmp.resolve("merged");
        try (ThreadPool pool = new ThreadPool(2); LlamaModel model = LlamaModel.load(base)) {
            List<LoraAdapter> adapters = List.of(
                    LoraAdapter.load("a1", two.resolve("a1"), model.config()),
                    LoraAdapter.load("a2", two.resolve("a2"), model.config()));
            StaticWeights weights = StaticWeights.perLayer(new float[][] {{0.3f, 0.9f}, {0.7f, -0.2f}});
            LoraMerge.merge(base, adapters, weights, out, pool);
            float[] unmerged = new InferenceSession(model, ids.length, pool,
                    new Fusion(AdapterStack.of(adapters, model.config()), weights)).forwardAll(ids);
            try (LlamaModel merged = LlamaModel.load(out)) {
                assertEquals(DType.F32, merged.embedTokens().dtype(), "merged weights keep the file dtype");
                float[] mergedLogits = new InferenceSession(merged, ids.length, pool).forwardAll(ids);
                double diff = Fixtures.maxAbsDiff(unmerged, mergedLogits);
                assertTrue(diff < 1e-4, "merged vs unmerged: " + diff);
                float[] base0 = new InferenceSession(model, ids.length, pool).forwardAll(ids);
                assertTrue(Fixtures.maxAbsDiff(base0, mergedLogits) > 1e-3, "the merge must change the model");
            }
            assertTrue(Files.isRegularFile(out.resolve("config.json")));
            LoraflowException e = assertThrows(LoraflowException.class, () -> LoraMerge.merge(base, adapters, weights, out, pool));
            assertTrue(e.getMessage().contains("already exists"));
        }
    }

    @Test
    void mergeKeepsBf16Dtype() {
        Path base = Fixtures.dir("forward/bf16");
        Path out = tmp.resolve("merged16");
        try (ThreadPool pool = new ThreadPool(1); LlamaModel model = LlamaModel.load(base)) {
            LoraAdapter a = LoraAdapter.load("a", Fixtures.dir("lora/plain"), model.config());
            LoraMerge.merge(base, List.of(a), StaticWeights.uniform(2, 1f), out, pool);
            try (LlamaModel merged = LlamaModel.load(out)) {
                assertEquals(DType.BF16, merged.layers().get(0).q().weight().dtype());
            }
            assertFalse(Files.exists(tmp.resolve(".merged16.partial")), "no partial directory is left");
        }
    }
}
