package dev.loraflow.model.lora;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loraflow.core.DType;
import dev.loraflow.core.LoraflowException;
import dev.loraflow.core.Tensor;
import dev.loraflow.core.safetensors.SafetensorsFile;
import dev.loraflow.core.safetensors.SafetensorsWriter;
import dev.loraflow.kernels.VectorMath;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The LoRA-Flow gate: in every layer l, for every token, {@code w_l = softmax(W_l x / τ) + b_l} from the
 * layer's residual input x, with W_l [k, d] and b_l [k] (the bias is added after the softmax, so the
 * weights need not be positive nor sum to 1). Saved as the project's gate file (see formats.md).
 */
public final class LoraFlowGate implements FusionPolicy {
    static final String FORMAT = "loraflow-gate";

    private final List<String> adapters;
    private final int hidden;
    private final float temperature;
    private final float[][] weight; // [layer][k * d]
    private final float[][] bias;   // [layer][k]

    public LoraFlowGate(List<String> adapters, int hidden, float temperature, float[][] weight, float[][] bias) {
        int k = adapters.size();
        if (k < 1) {
            throw new LoraflowException("a gate needs at least one adapter");
        }
        if (!(temperature > 0) || !Float.isFinite(temperature)) {
            throw new LoraflowException("gate temperature must be positive, got " + temperature);
        }
        if (weight.length != bias.length) {
            throw new LoraflowException("gate weight and bias must cover the same layers");
        }
        for (int l = 0; l < weight.length; l++) {
            if (weight[l].length != k * hidden || bias[l].length != k) {
                throw new LoraflowException("gate layer " + l + " must have weight [" + k + ", " + hidden + "] and bias [" + k + "]");
            }
        }
        this.adapters = List.copyOf(adapters);
        this.hidden = hidden;
        this.temperature = temperature;
        this.weight = weight;
        this.bias = bias;
    }

    /** The released code's start: W = 0 and b chosen so that the last adapter has weight 1 and the others 0. */
    public static LoraFlowGate initial(List<String> adapters, int layers, int hidden) {
        int k = adapters.size();
        float[][] b = new float[layers][k];
        for (float[] row : b) {
            Arrays.fill(row, -1f / k);
            row[k - 1] = 1f - 1f / k;
        }
        return new LoraFlowGate(adapters, hidden, 1f, new float[layers][k * hidden], b);
    }

    /** Random W ~ N(0, std²) and b ~ N(0, std²), for tests and experiments. */
    public static LoraFlowGate random(List<String> adapters, int layers, int hidden, float std, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int k = adapters.size();
        float[][] w = new float[layers][k * hidden];
        float[][] b = new float[layers][k];
        for (int l = 0; l < layers; l++) {
            for (int i = 0; i < w[l].length; i++) {
                w[l][i] = (float) (gaussian(r) * std);
            }
            for (int i = 0; i < k; i++) {
                b[l][i] = (float) (gaussian(r) * std);
            }
        }
        return new LoraFlowGate(adapters, hidden, 1f, w, b);
    }

    private static double gaussian(SplittableRandom r) {
        double u = 1 - r.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r.nextDouble());
    }

    public List<String> adapters() {
        return adapters;
    }

    public int numLayers() {
        return weight.length;
    }

    public int hiddenSize() {
        return hidden;
    }

    public float temperature() {
        return temperature;
    }

    /** The same gate with another softmax temperature (the released inference used 1.1 for some tasks). */
    public LoraFlowGate withTemperature(float t) {
        return new LoraFlowGate(adapters, hidden, t, weight, bias);
    }

    /** Layer l's W, row-major [k, d] (a copy). */
    public float[] weight(int layer) {
        return weight[layer].clone();
    }

    public float[] bias(int layer) {
        return bias[layer].clone();
    }

    @Override
    public int adapterCount() {
        return adapters.size();
    }

    @Override
    public void weights(int layer, float[] x, int n, int d, float[] out) {
        int k = adapters.size();
        float[] w = weight[layer];
        float[] b = bias[layer];
        for (int t = 0; t < n; t++) {
            for (int i = 0; i < k; i++) {
                out[t * k + i] = VectorMath.dot(w, i * d, x, t * d, d) / temperature;
            }
            VectorMath.softmaxInPlace(out, t * k, k);
            for (int i = 0; i < k; i++) {
                out[t * k + i] += b[i];
            }
        }
    }

    public void save(Path file) {
        SafetensorsWriter writer = new SafetensorsWriter()
                .metadata("format", FORMAT)
                .metadata("version", "1")
                .metadata("adapters", toJson(adapters))
                .metadata("temperature", Float.toString(temperature))
                .metadata("hidden_size", Integer.toString(hidden))
                .metadata("num_layers", Integer.toString(weight.length));
        int k = adapters.size();
        for (int l = 0; l < weight.length; l++) {
            writer.addF32("model.layers." + l + ".fusion_gate.weight", new long[] {k, hidden}, weight[l]);
            writer.addF32("model.layers." + l + ".fusion_gate.bias", new long[] {k}, bias[l]);
        }
        writer.write(file);
    }

    /**
     * Loads a gate file and checks it against the adapters given (names and order) and the model's
     * hidden size and layer count.
     */
    public static LoraFlowGate load(Path file, List<String> expectedAdapters, int layers, int hidden) {
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            var meta = f.metadata();
            if (!FORMAT.equals(meta.get("format"))) {
                throw new LoraflowException(file + ": not a LoRA-Flow gate file (__metadata__ format is "
                        + meta.get("format") + ", expected " + FORMAT + ")");
            }
            List<String> names = parseNames(file, meta.get("adapters"));
            if (!names.equals(expectedAdapters)) {
                throw new LoraflowException(file + ": the gate was trained for adapters " + names + " but " + expectedAdapters
                        + " were given; pass the same --lora names in the same order");
            }
            int fileHidden = intMeta(file, meta.get("hidden_size"), "hidden_size");
            int fileLayers = intMeta(file, meta.get("num_layers"), "num_layers");
            if (fileHidden != hidden || fileLayers != layers) {
                throw new LoraflowException(file + ": the gate is for hidden size " + fileHidden + " and " + fileLayers
                        + " layers, but the model has hidden size " + hidden + " and " + layers + " layers");
            }
            float temperature;
            try {
                temperature = Float.parseFloat(meta.getOrDefault("temperature", "1.0"));
            } catch (NumberFormatException e) {
                throw new LoraflowException(file + ": __metadata__ temperature '" + meta.get("temperature") + "' is not a number");
            }
            int k = names.size();
            float[][] w = new float[layers][];
            float[][] b = new float[layers][];
            for (int l = 0; l < layers; l++) {
                w[l] = f32(f, "model.layers." + l + ".fusion_gate.weight", k, hidden);
                b[l] = f32(f, "model.layers." + l + ".fusion_gate.bias", k);
            }
            return new LoraFlowGate(names, hidden, temperature, w, b);
        }
    }

    private static float[] f32(SafetensorsFile f, String name, long... shape) {
        Tensor t = f.require(name).requireShape(shape);
        if (t.dtype() != DType.F32) {
            throw new LoraflowException(f.path() + ": tensor '" + name + "' must be F32, is " + t.dtype());
        }
        return t.toFloatArray();
    }

    private static int intMeta(Path file, String value, String key) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException | NullPointerException e) {
            throw new LoraflowException(file + ": __metadata__ '" + key + "' is missing or not an integer");
        }
    }

    private static String toJson(List<String> names) {
        try {
            return new ObjectMapper().writeValueAsString(names);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<String> parseNames(Path file, String json) {
        try {
            return List.of(new ObjectMapper().readValue(json == null ? "null" : json, String[].class));
        } catch (JsonProcessingException | NullPointerException e) {
            throw new LoraflowException(file + ": __metadata__ 'adapters' must be a JSON list of adapter names");
        }
    }
}
