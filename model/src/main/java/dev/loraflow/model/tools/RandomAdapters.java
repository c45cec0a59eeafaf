package dev.loraflow.model.tools;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loraflow.core.config.LlamaConfig;
import dev.loraflow.model.lora.LoraAdapter;
import dev.loraflow.model.lora.LoraConfig;
import dev.loraflow.model.lora.LoraWeights;
import dev.loraflow.model.lora.Projection;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/** Random LoRA adapters on all seven projections, for benchmarks (fusion overhead, training throughput). */
public final class RandomAdapters {
    private RandomAdapters() {}

    /** {@code count} adapters named a0, a1, ... of the given rank, A and B ~ U(-0.01, 0.01), scale 2. */
    @SuppressWarnings("unchecked")
    public static List<LoraAdapter> create(LlamaConfig base, int count, int rank, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<LoraAdapter> adapters = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            LoraConfig config = config(rank);
            Map<Projection, LoraWeights>[] layers = new Map[base.numLayers()];
            for (int l = 0; l < layers.length; l++) {
                layers[l] = new EnumMap<>(Projection.class);
                for (Projection p : Projection.values()) {
                    int in = LoraAdapter.inFeatures(base, p);
                    int out = LoraAdapter.outFeatures(base, p);
                    layers[l].put(p, new LoraWeights(rank, in, out, 2f, uniform(random, rank * in), uniform(random, out * rank)));
                }
            }
            adapters.add(LoraAdapter.of("a" + i, config, layers));
        }
        return adapters;
    }

    private static LoraConfig config(int rank) {
        try {
            var json = new ObjectMapper().readTree("{\"peft_type\":\"LORA\",\"r\":" + rank + ",\"lora_alpha\":" + 2 * rank
                    + ",\"target_modules\":\"all-linear\"}");
            return LoraConfig.parse(json, Path.of("random-adapter", "adapter_config.json"));
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static float[] uniform(SplittableRandom random, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) ((random.nextDouble() * 2 - 1) * 0.01);
        }
        return v;
    }
}
