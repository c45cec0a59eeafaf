package dev.loraflow.model.eval;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loraflow.core.LoraflowException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Per-token fusion weights as {@code generate --weights-out} writes them:
 * {@code {"adapters": [...], "tokens": [...], "ids": [...], "weights": [token][layer][adapter]}}.
 */
public record TraceFile(List<String> adapters, List<String> tokens, float[][][] weights) {
    public int layers() {
        return weights.length == 0 ? 0 : weights[0].length;
    }

    public static TraceFile read(Path file) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(Files.readAllBytes(file));
        } catch (JacksonException e) {
            throw new LoraflowException(file + ": invalid JSON (" + e.getOriginalMessage() + ")");
        } catch (IOException e) {
            throw new LoraflowException("cannot read " + file + ": " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw bad(file, "expected an object {adapters, tokens, ids, weights} as written by generate --weights-out");
        }
        List<String> adapters = strings(file, root, "adapters");
        List<String> tokens = strings(file, root, "tokens");
        JsonNode weights = root.get("weights");
        if (adapters.isEmpty()) {
            throw bad(file, "\"adapters\" is empty");
        }
        if (weights == null || !weights.isArray() || weights.size() != tokens.size() || tokens.isEmpty()) {
            throw bad(file, "\"weights\" must be a list with one [layer][adapter] entry per token (" + tokens.size() + " tokens)");
        }
        int layers = weights.get(0).size();
        float[][][] w = new float[tokens.size()][layers][adapters.size()];
        for (int t = 0; t < w.length; t++) {
            JsonNode perLayer = weights.get(t);
            if (!perLayer.isArray() || perLayer.size() != layers || layers == 0) {
                throw bad(file, "weights[" + t + "] must hold the same number of layers as weights[0] (" + layers + ")");
            }
            for (int l = 0; l < layers; l++) {
                JsonNode row = perLayer.get(l);
                if (!row.isArray() || row.size() != adapters.size()) {
                    throw bad(file, "weights[" + t + "][" + l + "] must hold one number per adapter " + adapters);
                }
                for (int i = 0; i < adapters.size(); i++) {
                    if (!row.get(i).isNumber()) {
                        throw bad(file, "weights[" + t + "][" + l + "][" + i + "] is not a number");
                    }
                    w[t][l][i] = row.get(i).floatValue();
                }
            }
        }
        return new TraceFile(adapters, tokens, w);
    }

    private static List<String> strings(Path file, JsonNode root, String field) {
        JsonNode array = root.get(field);
        if (array == null || !array.isArray()) {
            throw bad(file, "\"" + field + "\" must be a list of strings");
        }
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return List.copyOf(out);
    }

    private static LoraflowException bad(Path file, String what) {
        return new LoraflowException(file + ": " + what);
    }
}
