package dev.loraflow.model.llama;

import dev.loraflow.core.LoraflowException;
import dev.loraflow.core.Tensor;
import dev.loraflow.core.config.LlamaConfig;
import dev.loraflow.core.safetensors.WeightSource;
import dev.loraflow.core.safetensors.Weights;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The frozen weights of a Llama-family model, memory-mapped from a HuggingFace directory. Matrices
 * stay in the file's dtype and in the page cache; only norms and biases are copied to F32.
 */
public final class LlamaModel implements AutoCloseable {
    private final LlamaConfig config;
    private final WeightSource weights;
    private final Tensor embedTokens;
    private final List<LayerWeights> layers;
    private final float[] finalNorm;
    private final Linear lmHead;

    private LlamaModel(LlamaConfig config, WeightSource weights, Tensor embedTokens, List<LayerWeights> layers,
                       float[] finalNorm, Linear lmHead) {
        this.config = config;
        this.weights = weights;
        this.embedTokens = embedTokens;
        this.layers = List.copyOf(layers);
        this.finalNorm = finalNorm;
        this.lmHead = lmHead;
    }

    /** Loads {@code dir/config.json} and the safetensors weights beside it. */
    public static LlamaModel load(Path dir) {
        LlamaConfig config = LlamaConfig.load(dir);
        WeightSource weights = Weights.openModelDir(dir);
        try {
            return fromWeights(config, weights);
        } catch (RuntimeException e) {
            weights.close();
            throw e;
        }
    }

    /** Binds weights to a config, checking every tensor's presence, dtype and shape. Takes ownership of weights. */
    public static LlamaModel fromWeights(LlamaConfig c, WeightSource w) {
        int d = c.hiddenSize();
        Tensor embed = w.require("model.embed_tokens.weight").requireShape(c.vocabSize(), d);
        requireFloatType(embed);
        List<LayerWeights> layers = new ArrayList<>();
        for (int l = 0; l < c.numLayers(); l++) {
            String p = "model.layers." + l + ".";
            layers.add(new LayerWeights(
                    vector(w, p + "input_layernorm.weight", d),
                    linear(w, p + "self_attn.q_proj", c.qDim(), d, c.attentionBias()),
                    linear(w, p + "self_attn.k_proj", c.kvDim(), d, c.attentionBias()),
                    linear(w, p + "self_attn.v_proj", c.kvDim(), d, c.attentionBias()),
                    linear(w, p + "self_attn.o_proj", d, c.qDim(), c.attentionBias()),
                    vector(w, p + "post_attention_layernorm.weight", d),
                    linear(w, p + "mlp.gate_proj", c.intermediateSize(), d, c.mlpBias()),
                    linear(w, p + "mlp.up_proj", c.intermediateSize(), d, c.mlpBias()),
                    linear(w, p + "mlp.down_proj", d, c.intermediateSize(), c.mlpBias())));
        }
        float[] norm = vector(w, "model.norm.weight", d);
        Linear head;
        if (c.tieWordEmbeddings()) {
            head = new Linear(embed, null);
        } else {
            Tensor lm = w.find("lm_head.weight").orElseThrow(() -> new LoraflowException(w.describe()
                    + ": missing tensor 'lm_head.weight' and tie_word_embeddings is false in config.json"));
            head = new Linear(requireFloatType(lm.requireShape(c.vocabSize(), d)), null);
        }
        return new LlamaModel(c, w, embed, layers, norm, head);
    }

    private static Linear linear(WeightSource w, String prefix, int out, int in, boolean hasBias) {
        Tensor weight = requireFloatType(w.require(prefix + ".weight").requireShape(out, in));
        float[] bias = hasBias ? vector(w, prefix + ".bias", out) : null;
        return new Linear(weight, bias);
    }

    private static float[] vector(WeightSource w, String name, int size) {
        return requireFloatType(w.require(name).requireShape(size)).toFloatArray();
    }

    private static Tensor requireFloatType(Tensor t) {
        if (!t.dtype().isWeightType()) {
            throw new LoraflowException("tensor '" + t.name() + "' has dtype " + t.dtype()
                    + "; weights must be F32, BF16 or F16");
        }
        return t;
    }

    public LlamaConfig config() {
        return config;
    }

    public Tensor embedTokens() {
        return embedTokens;
    }

    public List<LayerWeights> layers() {
        return layers;
    }

    public float[] finalNorm() {
        return finalNorm;
    }

    public Linear lmHead() {
        return lmHead;
    }

    /** Parameter count (embeddings counted once when tied). */
    public long parameterCount() {
        long n = embedTokens.numel() + finalNorm.length;
        if (!config.tieWordEmbeddings()) {
            n += lmHead.weight().numel();
        }
        for (LayerWeights l : layers) {
            n += l.inputNorm().length + l.postAttentionNorm().length;
            for (Linear lin : List.of(l.q(), l.k(), l.v(), l.o(), l.gate(), l.up(), l.down())) {
                n += lin.weight().numel() + (lin.bias() == null ? 0 : lin.bias().length);
            }
        }
        return n;
    }

    /** Bytes of weight data the model maps. */
    public long weightBytes() {
        long n = 0;
        for (String name : weights.names()) {
            n += weights.require(name).data().byteSize();
        }
        return n;
    }

    @Override
    public void close() {
        weights.close();
    }
}
