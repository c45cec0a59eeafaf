package dev.loraflow.core.config;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;

/**
 * An immutable Llama-family model configuration read from a HuggingFace {@code config.json}.
 * Defaults are HuggingFace's {@code LlamaConfig} defaults for fields a file may omit.
 */
public record LlamaConfig(
        int hiddenSize,
        int intermediateSize,
        int numLayers,
        int numHeads,
        int numKvHeads,
        int headDim,
        int vocabSize,
        double rmsNormEps,
        double ropeTheta,
        RopeScaling ropeScaling,
        boolean tieWordEmbeddings,
        boolean attentionBias,
        boolean mlpBias,
        OptionalInt bosTokenId,
        int[] eosTokenIds,
        int maxPositionEmbeddings,
        String torchDtype) {

    private static final Set<String> ARCHITECTURES = Set.of("LlamaForCausalLM");

    public LlamaConfig {
        eosTokenIds = eosTokenIds.clone();
        require(hiddenSize > 0, "hidden_size", "must be positive");
        require(intermediateSize > 0, "intermediate_size", "must be positive");
        require(numLayers > 0, "num_hidden_layers", "must be positive");
        require(numHeads > 0, "num_attention_heads", "must be positive");
        require(numKvHeads > 0 && numHeads % numKvHeads == 0, "num_key_value_heads",
                "must divide num_attention_heads (" + numHeads + ")");
        require(headDim > 0 && headDim % 2 == 0, "head_dim", "must be a positive even number");
        require(vocabSize > 0, "vocab_size", "must be positive");
        require(rmsNormEps > 0, "rms_norm_eps", "must be positive");
        require(ropeTheta > 0, "rope_theta", "must be positive");
        require(maxPositionEmbeddings > 0, "max_position_embeddings", "must be positive");
    }

    private static void require(boolean ok, String field, String what) {
        if (!ok) {
            throw new ConfigException("config field '" + field + "' " + what);
        }
    }

    @Override
    public int[] eosTokenIds() {
        return eosTokenIds.clone();
    }

    public boolean isEos(int id) {
        for (int e : eosTokenIds) {
            if (e == id) {
                return true;
            }
        }
        return false;
    }

    public int qDim() {
        return numHeads * headDim;
    }

    public int kvDim() {
        return numKvHeads * headDim;
    }

    /** Reads {@code dir/config.json}. */
    public static LlamaConfig load(Path modelDir) {
        Path file = modelDir.resolve("config.json");
        if (!Files.isRegularFile(file)) {
            throw new ConfigException(file + " not found; --model must be a HuggingFace model directory");
        }
        try {
            return parse(new ObjectMapper().readTree(Files.readAllBytes(file)), file.toString());
        } catch (JacksonException e) {
            throw new ConfigException(file + ": invalid JSON (" + e.getOriginalMessage() + ")");
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read: " + e.getMessage());
        } catch (ConfigException e) {
            throw e.getMessage().startsWith(file.toString()) ? e : new ConfigException(file + ": " + e.getMessage());
        }
    }

    /** Parses a config tree; {@code source} names it in errors. */
    public static LlamaConfig parse(JsonNode root, String source) {
        if (root == null || !root.isObject()) {
            throw new ConfigException(source + ": must be a JSON object");
        }
        Fields f = new Fields(root, source);
        checkArchitecture(f, root);
        String act = f.string("hidden_act", "silu");
        if (!act.equals("silu")) {
            throw new ConfigException(source + ": hidden_act '" + act + "' is not supported (only silu)");
        }
        int hidden = f.requiredInt("hidden_size");
        int heads = f.requiredInt("num_attention_heads");
        int headDim = root.hasNonNull("head_dim") ? f.requiredInt("head_dim") : hidden / heads;
        if (!root.hasNonNull("head_dim") && hidden % heads != 0) {
            throw new ConfigException(source + ": hidden_size " + hidden + " is not a multiple of num_attention_heads "
                    + heads + " and head_dim is not given");
        }
        return new LlamaConfig(
                hidden,
                f.requiredInt("intermediate_size"),
                f.requiredInt("num_hidden_layers"),
                heads,
                root.hasNonNull("num_key_value_heads") ? f.requiredInt("num_key_value_heads") : heads,
                headDim,
                f.requiredInt("vocab_size"),
                f.number("rms_norm_eps", 1e-6),
                f.number("rope_theta", 10000.0),
                parseRopeScaling(root.get("rope_scaling"), source),
                f.bool("tie_word_embeddings", false),
                f.bool("attention_bias", false),
                f.bool("mlp_bias", false),
                f.optionalInt("bos_token_id"),
                f.intList("eos_token_id"),
                f.intValue("max_position_embeddings", 2048),
                f.string("torch_dtype", "float32"));
    }

    private static void checkArchitecture(Fields f, JsonNode root) {
        String modelType = f.string("model_type", "llama");
        if (!modelType.equals("llama")) {
            throw new ConfigException(f.source + ": model_type '" + modelType
                    + "' is not supported; loraflow runs Llama-family models (model_type \"llama\")");
        }
        JsonNode arch = root.get("architectures");
        if (arch != null && arch.isArray()) {
            for (JsonNode a : arch) {
                if (!ARCHITECTURES.contains(a.asText())) {
                    throw new ConfigException(f.source + ": architecture '" + a.asText()
                            + "' is not supported; expected one of " + ARCHITECTURES);
                }
            }
        }
    }

    private static RopeScaling parseRopeScaling(JsonNode node, String source) {
        if (node == null || node.isNull()) {
            return new RopeScaling.None();
        }
        if (!node.isObject()) {
            throw new ConfigException(source + ": rope_scaling must be null or an object");
        }
        Fields f = new Fields(node, source + " rope_scaling");
        String type = node.hasNonNull("rope_type") ? f.string("rope_type", "") : f.string("type", "");
        return switch (type) {
            case "default" -> new RopeScaling.None();
            case "linear" -> new RopeScaling.Linear(f.requiredPositive("factor"));
            case "llama3" -> new RopeScaling.Llama3(
                    f.requiredPositive("factor"),
                    f.requiredPositive("low_freq_factor"),
                    f.requiredPositive("high_freq_factor"),
                    f.requiredInt("original_max_position_embeddings"));
            default -> throw new ConfigException(source + ": rope_scaling type '" + type
                    + "' is not supported (supported: linear, llama3)");
        };
    }

    /** Typed access to JSON fields with errors that name the field. */
    private record Fields(JsonNode node, String source) {
        int requiredInt(String name) {
            JsonNode v = node.get(name);
            if (v == null || v.isNull()) {
                throw new ConfigException(source + ": missing required field '" + name + "'");
            }
            if (!v.isIntegralNumber() || !v.canConvertToInt()) {
                throw new ConfigException(source + ": field '" + name + "' must be an integer, got " + v);
            }
            return v.intValue();
        }

        int intValue(String name, int fallback) {
            return node.hasNonNull(name) ? requiredInt(name) : fallback;
        }

        OptionalInt optionalInt(String name) {
            return node.hasNonNull(name) ? OptionalInt.of(requiredInt(name)) : OptionalInt.empty();
        }

        double number(String name, double fallback) {
            JsonNode v = node.get(name);
            if (v == null || v.isNull()) {
                return fallback;
            }
            if (!v.isNumber()) {
                throw new ConfigException(source + ": field '" + name + "' must be a number, got " + v);
            }
            return v.doubleValue();
        }

        double requiredPositive(String name) {
            if (!node.hasNonNull(name)) {
                throw new ConfigException(source + ": missing required field '" + name + "'");
            }
            double v = number(name, 0);
            if (!(v > 0)) {
                throw new ConfigException(source + ": field '" + name + "' must be positive, got " + v);
            }
            return v;
        }

        boolean bool(String name, boolean fallback) {
            JsonNode v = node.get(name);
            if (v == null || v.isNull()) {
                return fallback;
            }
            if (!v.isBoolean()) {
                throw new ConfigException(source + ": field '" + name + "' must be true or false, got " + v);
            }
            return v.booleanValue();
        }

        String string(String name, String fallback) {
            JsonNode v = node.get(name);
            if (v == null || v.isNull()) {
                return fallback;
            }
            if (!v.isTextual()) {
                throw new ConfigException(source + ": field '" + name + "' must be a string, got " + v);
            }
            return v.textValue();
        }

        int[] intList(String name) {
            JsonNode v = node.get(name);
            if (v == null || v.isNull()) {
                return new int[0];
            }
            List<JsonNode> items = v.isArray() ? toList(v) : List.of(v);
            int[] out = new int[items.size()];
            for (int i = 0; i < out.length; i++) {
                JsonNode item = items.get(i);
                if (!item.isIntegralNumber() || !item.canConvertToInt()) {
                    throw new ConfigException(source + ": field '" + name + "' must be an integer or a list of integers");
                }
                out[i] = item.intValue();
            }
            return out;
        }

        private static List<JsonNode> toList(JsonNode array) {
            List<JsonNode> out = new java.util.ArrayList<>();
            array.forEach(out::add);
            return out;
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LlamaConfig c && toString().equals(c.toString());
    }

    @Override
    public int hashCode() {
        return toString().hashCode();
    }

    @Override
    public String toString() {
        return "LlamaConfig[hidden=" + hiddenSize + ", intermediate=" + intermediateSize + ", layers=" + numLayers
                + ", heads=" + numHeads + ", kvHeads=" + numKvHeads + ", headDim=" + headDim + ", vocab=" + vocabSize
                + ", eps=" + rmsNormEps + ", theta=" + ropeTheta + ", ropeScaling=" + ropeScaling
                + ", tied=" + tieWordEmbeddings + ", attnBias=" + attentionBias + ", mlpBias=" + mlpBias
                + ", bos=" + bosTokenId + ", eos=" + Arrays.toString(eosTokenIds) + ", maxPos=" + maxPositionEmbeddings
                + ", dtype=" + torchDtype + "]";
    }
}
