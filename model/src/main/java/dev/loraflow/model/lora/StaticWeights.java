package dev.loraflow.model.lora;

import dev.loraflow.core.LoraflowException;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/** Task-level fusion: fixed weights per adapter (optionally per layer), the same for every token. */
public final class StaticWeights implements FusionPolicy {
    private final float[][] perLayer; // [layer][adapter]

    private StaticWeights(float[][] perLayer) {
        this.perLayer = perLayer;
    }

    /** The same weights in every layer. */
    public static StaticWeights uniform(int layers, float... weights) {
        float[][] w = new float[layers][];
        Arrays.fill(w, weights.clone());
        return new StaticWeights(w);
    }

    /** Weights per layer: {@code perLayer[l][i]} for adapter i in layer l. */
    public static StaticWeights perLayer(float[][] perLayer) {
        int k = perLayer.length == 0 ? 0 : perLayer[0].length;
        for (float[] row : perLayer) {
            if (row.length != k) {
                throw new LoraflowException("per-layer weights must give every layer the same number of adapters");
            }
        }
        return new StaticWeights(Arrays.stream(perLayer).map(float[]::clone).toArray(float[][]::new));
    }

    /** PEFT's multi-adapter activation: every adapter at weight 1. */
    public static StaticWeights allOnes(int layers, int adapters) {
        float[] ones = new float[adapters];
        Arrays.fill(ones, 1f);
        return uniform(layers, ones);
    }

    /** Equal weights 1/k (the "average" baseline). */
    public static StaticWeights average(int layers, int adapters) {
        float[] w = new float[adapters];
        Arrays.fill(w, 1f / adapters);
        return uniform(layers, w);
    }

    /** Weights given by adapter name; every loaded adapter must be named. */
    public static StaticWeights byName(int layers, List<String> adapters, Map<String, Float> weights) {
        for (String name : weights.keySet()) {
            if (!adapters.contains(name)) {
                throw new LoraflowException("--weights names adapter '" + name + "', but the loaded adapters are " + adapters);
            }
        }
        float[] w = new float[adapters.size()];
        for (int i = 0; i < w.length; i++) {
            Float v = weights.get(adapters.get(i));
            if (v == null) {
                throw new LoraflowException("--weights gives no weight for adapter '" + adapters.get(i) + "'");
            }
            w[i] = v;
        }
        return uniform(layers, w);
    }

    /**
     * Reads weights from JSON: {@code {"lang": 0.5, "task": 0.5}} (every layer alike) or
     * {@code {"lang": [w_0, w_1, ...], "task": [...]}} (one weight per layer). Every loaded adapter must be named.
     */
    public static StaticWeights fromJson(Path file, List<String> adapters, int layers) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(Files.readAllBytes(file));
        } catch (JacksonException e) {
            throw new LoraflowException(file + ": invalid JSON (" + e.getOriginalMessage() + ")");
        } catch (IOException e) {
            throw new LoraflowException("cannot read weights file " + file + ": " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw new LoraflowException(file + ": must be an object mapping adapter names to a weight or a list of per-layer weights");
        }
        float[][] w = new float[layers][adapters.size()];
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!adapters.contains(name)) {
                throw new LoraflowException(file + ": names adapter '" + name + "', but the loaded adapters are " + adapters);
            }
        }
        for (int i = 0; i < adapters.size(); i++) {
            JsonNode v = root.get(adapters.get(i));
            if (v == null) {
                throw new LoraflowException(file + ": gives no weight for adapter '" + adapters.get(i) + "'");
            }
            if (v.isArray() && v.size() != layers) {
                throw new LoraflowException(file + ": adapter '" + adapters.get(i) + "' has " + v.size()
                        + " per-layer weights, the model has " + layers + " layers");
            }
            for (int l = 0; l < layers; l++) {
                JsonNode value = v.isArray() ? v.get(l) : v;
                if (value == null || !value.isNumber()) {
                    throw new LoraflowException(file + ": weight of adapter '" + adapters.get(i) + "' must be a number");
                }
                w[l][i] = value.floatValue();
            }
        }
        return new StaticWeights(w);
    }

    public float[] layer(int l) {
        return perLayer[l].clone();
    }

    public int numLayers() {
        return perLayer.length;
    }

    @Override
    public int adapterCount() {
        return perLayer.length == 0 ? 0 : perLayer[0].length;
    }

    @Override
    public void weights(int layer, float[] hidden, int n, int d, float[] out) {
        float[] w = perLayer[layer];
        for (int t = 0; t < n; t++) {
            System.arraycopy(w, 0, out, t * w.length, w.length);
        }
    }
}
