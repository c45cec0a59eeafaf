package dev.loraflow.model.tools;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loraflow.core.DType;
import dev.loraflow.core.LoraflowException;
import dev.loraflow.core.config.LlamaConfig;
import dev.loraflow.kernels.ThreadPool;
import dev.loraflow.model.llama.LlamaModel;
import dev.loraflow.model.lora.LoraAdapter;
import dev.loraflow.model.lora.LoraMerge;
import dev.loraflow.model.lora.LoraWeights;
import dev.loraflow.model.lora.Projection;
import dev.loraflow.model.lora.StaticWeights;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RandomAdaptersTest {
    @TempDir
    Path tmp;

    @Test
    void writtenAdaptersLoadBackExactlyAndMerge() {
        Path model = tmp.resolve("tiny");
        try (ThreadPool pool = new ThreadPool(2)) {
            new RandomModelWriter(pool).write(ModelShape.named("tiny").orElseThrow(), DType.BF16, 1, model);
        }
        LlamaConfig config = LlamaConfig.load(model);
        List<LoraAdapter> made = RandomAdapters.create(config, 2, 4, 7);
        List<Path> dirs = RandomAdapters.write(made, "tiny", tmp.resolve("adapters"));
        assertEquals(List.of(tmp.resolve("adapters/a0"), tmp.resolve("adapters/a1")), dirs);

        for (int i = 0; i < 2; i++) {
            LoraAdapter loaded = LoraAdapter.load("a" + i, dirs.get(i), config);
            for (int l = 0; l < config.numLayers(); l++) {
                for (Projection p : Projection.values()) {
                    LoraWeights want = made.get(i).weights(l, p);
                    LoraWeights got = loaded.weights(l, p);
                    assertEquals(want.rank(), got.rank());
                    assertEquals(want.scale(), got.scale(), 0f, "scale = lora_alpha / r = 2");
                    assertArrayEquals(want.a(), got.a(), 0f);
                    assertArrayEquals(want.b(), got.b(), 0f);
                }
            }
        }
        List<LoraAdapter> loaded = List.of(LoraAdapter.load("a0", dirs.get(0), config), LoraAdapter.load("a1", dirs.get(1), config));
        try (ThreadPool pool = new ThreadPool(1)) {
            LoraMerge.merge(model, loaded, StaticWeights.average(config.numLayers(), 2), tmp.resolve("merged"), pool);
        }
        try (LlamaModel merged = LlamaModel.load(tmp.resolve("merged"))) {
            assertEquals(config.hiddenSize(), merged.config().hiddenSize());
        }
        var again = assertThrows(LoraflowException.class, () -> RandomAdapters.write(made, "tiny", tmp.resolve("adapters")));
        assertTrue(again.getMessage().contains("already exists"), again.getMessage());
    }
}
