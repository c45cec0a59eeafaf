package dev.loraflow.model.tools;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loraflow.core.LoraflowException;
import dev.loraflow.core.config.LlamaConfig;
import dev.loraflow.core.io.AtomicFiles;
import dev.loraflow.core.safetensors.SafetensorsWriter;
import dev.loraflow.model.lora.LoraAdapter;
import dev.loraflow.model.lora.LoraConfig;
import dev.loraflow.model.lora.LoraWeights;
import dev.loraflow.model.lora.Projection;
import java.nio.file.Files;
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

    /**
     * Writes each adapter as a PEFT directory {@code outDir/<name>} (adapter_config.json with r, lora_alpha = 2r,
     * all seven projections; adapter_model.safetensors in F32, so loading gives back exactly these weights).
     * Each directory appears complete or not at all; existing ones are refused.
     */
    public static List<Path> write(List<LoraAdapter> adapters, String baseModel, Path outDir) {
        List<Path> written = new ArrayList<>();
        try {
            Files.createDirectories(outDir);
        } catch (java.io.IOException e) {
            throw new LoraflowException("cannot create " + outDir + ": " + e.getMessage(), e);
        }
        for (LoraAdapter adapter : adapters) {
            Path dir = outDir.resolve(adapter.name());
            AtomicFiles.writeDirectory(dir, tmp -> {
                Files.writeString(tmp.resolve("adapter_config.json"), configJson(adapter, baseModel));
                SafetensorsWriter writer = new SafetensorsWriter().metadata("format", "pt");
                for (int l = 0; l < adapter.numLayers(); l++) {
                    for (Projection p : Projection.values()) {
                        LoraWeights w = adapter.weights(l, p);
                        if (w != null) {
                            String key = "base_model.model." + p.modulePath(l);
                            writer.addF32(key + ".lora_A.weight", new long[] {w.rank(), w.in()}, w.a());
                            writer.addF32(key + ".lora_B.weight", new long[] {w.out(), w.rank()}, w.b());
                        }
                    }
                }
                writer.write(tmp.resolve("adapter_model.safetensors"));
            });
            written.add(dir);
        }
        return written;
    }

    /** The PEFT config of an adapter made by {@link #create}: one rank, alpha = 2r (scale 2), every projection. */
    private static String configJson(LoraAdapter adapter, String baseModel) throws java.io.IOException {
        int rank = adapter.weights(0, Projection.Q).rank();
        ObjectMapper json = new ObjectMapper();
        ObjectNode c = json.createObjectNode();
        c.put("peft_type", "LORA");
        c.put("task_type", "CAUSAL_LM");
        c.put("base_model_name_or_path", baseModel);
        c.put("r", rank);
        c.put("lora_alpha", 2 * rank);
        c.put("use_rslora", false);
        c.put("lora_dropout", 0.0);
        var targets = c.putArray("target_modules");
        for (Projection p : Projection.values()) {
            targets.add(p.shortName());
        }
        c.put("bias", "none");
        c.put("fan_in_fan_out", false);
        c.put("use_dora", false);
        c.putNull("modules_to_save");
        c.putNull("layers_to_transform");
        c.putObject("rank_pattern");
        c.putObject("alpha_pattern");
        c.put("inference_mode", true);
        return json.writerWithDefaultPrettyPrinter().writeValueAsString(c);
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
