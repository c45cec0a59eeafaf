package dev.loraflow.model.lora;

import dev.loraflow.core.LoraflowException;
import dev.loraflow.core.Tensor;
import dev.loraflow.core.config.LlamaConfig;
import dev.loraflow.core.safetensors.SafetensorsFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A PEFT LoRA adapter bound to a base model: for each (layer, projection) it targets, the A and B
 * matrices (converted to F32) and the scaling. Loading checks every tensor against the base model's
 * shapes and the adapter's own config before anything is used, so an adapter is applied whole or not at all.
 */
public final class LoraAdapter {
    private static final Pattern KEY = Pattern.compile(
            "base_model\\.model\\.model\\.layers\\.(\\d+)\\.(self_attn|mlp)\\.(\\w+)\\.lora_(A|B)(?:\\.default)?\\.weight");

    private final String name;
    private final LoraConfig config;
    private final Map<Projection, LoraWeights>[] byLayer;

    private LoraAdapter(String name, LoraConfig config, Map<Projection, LoraWeights>[] byLayer) {
        this.name = name;
        this.config = config;
        this.byLayer = byLayer;
    }

    public String name() {
        return name;
    }

    public LoraConfig config() {
        return config;
    }

    public int numLayers() {
        return byLayer.length;
    }

    /** The update of one projection, or null when the adapter leaves it alone. */
    public LoraWeights weights(int layer, Projection p) {
        return byLayer[layer].get(p);
    }

    /** Builds an adapter from weights already in memory (training writes adapters this way). */
    public static LoraAdapter of(String name, LoraConfig config, Map<Projection, LoraWeights>[] byLayer) {
        return new LoraAdapter(name, config, byLayer);
    }

    /** Loads {@code dir/adapter_config.json} and {@code dir/adapter_model.safetensors} for a base model. */
    public static LoraAdapter load(String name, Path dir, LlamaConfig base) {
        LoraConfig config = LoraConfig.load(dir);
        Path weightsFile = dir.resolve("adapter_model.safetensors");
        if (!Files.isRegularFile(weightsFile)) {
            throw new LoraflowException(weightsFile + " not found"
                    + (Files.isRegularFile(dir.resolve("adapter_model.bin"))
                            ? "; only safetensors adapters are read (convert adapter_model.bin with PEFT's save_pretrained)" : ""));
        }
        try (SafetensorsFile file = SafetensorsFile.open(weightsFile)) {
            return new LoraAdapter(name, config, bind(file, config, base));
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<Projection, LoraWeights>[] bind(SafetensorsFile file, LoraConfig config, LlamaConfig base) {
        Map<String, Tensor[]> pairs = new HashMap<>();
        for (Tensor t : file.tensors().values()) {
            Matcher m = KEY.matcher(t.name());
            if (!m.matches()) {
                throw new LoraflowException(file.path() + ": tensor '" + t.name() + "' " + explainUnexpected(t.name()));
            }
            Tensor[] pair = pairs.computeIfAbsent(m.group(1) + "." + m.group(2) + "." + m.group(3), k -> new Tensor[2]);
            pair[m.group(4).equals("A") ? 0 : 1] = t;
        }
        Map<Projection, LoraWeights>[] byLayer = new Map[base.numLayers()];
        for (int l = 0; l < byLayer.length; l++) {
            byLayer[l] = new EnumMap<>(Projection.class);
        }
        for (Map.Entry<String, Tensor[]> e : pairs.entrySet()) {
            String[] parts = e.getKey().split("\\.");
            int layer = Integer.parseInt(parts[0]);
            String module = "model.layers." + e.getKey();
            Projection p = Projection.fromShortName(parts[2])
                    .filter(q -> q.modulePath(layer).equals(module))
                    .orElseThrow(() -> new LoraflowException(file.path() + ": module '" + module
                            + "' is not a projection of a Llama layer (q/k/v/o_proj, gate/up/down_proj)"));
            if (layer >= base.numLayers()) {
                throw new LoraflowException(file.path() + ": adapter has weights for layer " + layer + " but the base model has "
                        + base.numLayers() + " layers; the adapter was trained for another model");
            }
            if (!config.appliesTo(layer, p)) {
                throw new LoraflowException(file.path() + ": weights for '" + module + "' are not covered by target_modules"
                        + " / layers_to_transform in " + config.file() + "; the config and weights disagree");
            }
            Tensor a = e.getValue()[0];
            Tensor b = e.getValue()[1];
            if (a == null || b == null) {
                throw new LoraflowException(file.path() + ": '" + module + "' has lora_" + (a == null ? "B" : "A")
                        + " but no lora_" + (a == null ? "A" : "B") + "; the adapter file is incomplete");
            }
            byLayer[layer].put(p, weightsFor(file.path(), module, a, b, config, inFeatures(base, p), outFeatures(base, p)));
        }
        return byLayer;
    }

    private static LoraWeights weightsFor(Path file, String module, Tensor a, Tensor b, LoraConfig config, int in, int out) {
        int rank = config.rankFor(module);
        if (a.rank() != 2 || b.rank() != 2 || a.dim(1) != in || b.dim(0) != out || a.dim(0) != b.dim(1)) {
            throw new LoraflowException(file + ": '" + module + "' has lora_A " + Arrays.toString(a.shape()) + " and lora_B "
                    + Arrays.toString(b.shape()) + " but the base model needs [r, " + in + "] and [" + out
                    + ", r]; the adapter was trained for another model");
        }
        if (a.dim(0) != rank) {
            throw new LoraflowException(file + ": '" + module + "' has rank " + a.dim(0) + " but " + config.file()
                    + " says r = " + rank + " (after rank_pattern)");
        }
        for (Tensor t : new Tensor[] {a, b}) {
            if (!t.dtype().isWeightType()) {
                throw new LoraflowException(file + ": tensor '" + t.name() + "' has dtype " + t.dtype() + "; expected F32, BF16 or F16");
            }
        }
        return new LoraWeights(rank, in, out, (float) config.scaleFor(module, rank), a.toFloatArray(), b.toFloatArray());
    }

    private static String explainUnexpected(String name) {
        if (name.contains("lora_magnitude_vector")) {
            return "is a DoRA magnitude; DoRA adapters are not supported";
        }
        if (name.contains("lora_embedding")) {
            return "is an embedding LoRA, which is not supported";
        }
        if (name.contains("lm_head") || name.contains("embed_tokens")) {
            return "replaces part of the base model (modules_to_save); such adapters cannot be applied faithfully";
        }
        return "is not a LoRA weight of a Llama projection (expected base_model.model.model.layers.N.<self_attn|mlp>.<proj>.lora_A/B.weight)";
    }

    public static int inFeatures(LlamaConfig c, Projection p) {
        return switch (p) {
            case Q, K, V, GATE, UP -> c.hiddenSize();
            case O -> c.qDim();
            case DOWN -> c.intermediateSize();
        };
    }

    public static int outFeatures(LlamaConfig c, Projection p) {
        return switch (p) {
            case Q -> c.qDim();
            case K, V -> c.kvDim();
            case O, DOWN -> c.hiddenSize();
            case GATE, UP -> c.intermediateSize();
        };
    }
}
