package dev.loraflow.model.llama;

import dev.loraflow.core.HugePages;
import dev.loraflow.core.LoraflowException;
import dev.loraflow.core.Tensor;
import dev.loraflow.core.config.LlamaConfig;
import dev.loraflow.core.safetensors.Residency;
import dev.loraflow.core.safetensors.WeightSource;
import dev.loraflow.core.safetensors.Weights;
import dev.loraflow.kernels.ThreadPool;
import java.lang.foreign.Arena;
import java.lang.foreign.SegmentAllocator;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.LongConsumer;

/**
 * The frozen weights of a Llama-family model from a HuggingFace directory, read into memory or memory-mapped
 * ({@link Residency}). Matrices stay in the file's dtype (or are quantised at load); only norms and biases are
 * copied to F32.
 */
public final class LlamaModel implements AutoCloseable {
    private final LlamaConfig config;
    private final WeightSource weights;
    private final Arena quantized; // memory of weights converted at load, null when none were
    private final Tensor embedTokens;
    private final List<LayerWeights> layers;
    private final float[] finalNorm;
    private final Linear lmHead;

    private LlamaModel(LlamaConfig config, WeightSource weights, Arena quantized, Tensor embedTokens,
                       List<LayerWeights> layers, float[] finalNorm, Linear lmHead) {
        this.config = config;
        this.weights = weights;
        this.quantized = quantized;
        this.embedTokens = embedTokens;
        this.layers = List.copyOf(layers);
        this.finalNorm = finalNorm;
        this.lmHead = lmHead;
    }

    /** Loads {@code dir/config.json} and the safetensors weights beside it, read into memory ({@link Residency#IN_MEMORY}). */
    public static LlamaModel load(Path dir) {
        return load(dir, Residency.IN_MEMORY);
    }

    /** As {@link #load(Path)}, the weights held as {@code residency} says. */
    public static LlamaModel load(Path dir, Residency residency) {
        return load(dir, residency, bytes -> { });
    }

    /** As {@link #load(Path, Residency)}, reporting the bytes read into memory to {@code progress} as they arrive. */
    public static LlamaModel load(Path dir, Residency residency, LongConsumer progress) {
        LlamaConfig config = LlamaConfig.load(dir);
        WeightSource weights = Weights.openModelDir(dir, residency, progress);
        try {
            return fromWeights(config, weights);
        } catch (RuntimeException | Error e) { // Error too: an in-memory copy must not outlive a failed load
            weights.close();
            throw e;
        }
    }

    /**
     * Loads a model quantised to {@code quantize} at load ({@link #loadQuantized}), or, when it is null, in the file's
     * dtype held as {@code residency} says ({@link #load(Path, Residency, LongConsumer)}); progress in bytes of the file.
     */
    public static LlamaModel load(Path dir, WeightFormat quantize, Residency residency, ThreadPool pool, LongConsumer progress) {
        return quantize == null ? load(dir, residency, progress) : loadQuantized(dir, quantize, pool, progress);
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
        return new LlamaModel(c, w, null, embed, layers, norm, head);
    }

    /**
     * Loads a model with every layer matrix and the output head quantised to Q8_0 (llama.cpp's 8-bit format).
     * Each matrix's file pages are released from this process as soon as it is converted, so the file's weights and
     * their quantised copy are never resident together. The embedding stays mapped: a token reads one row of it, so
     * only the rows used become resident (copying it would cost its full size).
     */
    public static LlamaModel loadQuantized(Path dir, WeightFormat format, ThreadPool pool) {
        return loadQuantized(dir, format, pool, bytes -> { });
    }

    /**
     * As {@link #loadQuantized(Path, WeightFormat, ThreadPool)}, reporting progress in bytes of the file's tensors:
     * those kept as they are at once, then each matrix as it is converted (they add up to the file's data section).
     */
    public static LlamaModel loadQuantized(Path dir, WeightFormat format, ThreadPool pool, LongConsumer progress) {
        if (format != WeightFormat.Q8_0) {
            throw new LoraflowException("quantisation to " + format + " is not supported; use Q8_0");
        }
        LlamaModel source = load(dir, Residency.MAPPED); // read once, matrix by matrix, by the conversion
        Arena arena = Arena.ofShared();
        try {
            long bytes = source.lmHead.quantizedBytesQ8_0();
            long converted = source.lmHead.weightBytes(); // a tied head's bytes are the embedding's, reported once converted
            for (LayerWeights l : source.layers) {
                for (Linear m : linears(l)) {
                    bytes += m.quantizedBytesQ8_0();
                    converted += m.weightBytes();
                }
            }
            progress.accept(source.weightBytes() - converted);
            // one block in huge pages (see HugePages): load 5.7-6.7 s instead of 8.3-8.6 s, decode as fast
            SegmentAllocator memory = SegmentAllocator.slicingAllocator(HugePages.allocate(bytes, arena));
            Function<Linear, Linear> quantize = m -> {
                Linear q = m.quantizeQ8_0(memory, pool);
                progress.accept(m.weightBytes());
                return q;
            };
            List<LayerWeights> layers = new ArrayList<>();
            for (LayerWeights l : source.layers) {
                layers.add(new LayerWeights(l.inputNorm(),
                        quantize.apply(l.q()), quantize.apply(l.k()), quantize.apply(l.v()), quantize.apply(l.o()),
                        l.postAttentionNorm(),
                        quantize.apply(l.gate()), quantize.apply(l.up()), quantize.apply(l.down())));
            }
            Linear head = quantize.apply(source.lmHead);
            return new LlamaModel(source.config, source.weights, arena, source.embedTokens, layers, source.finalNorm, head);
        } catch (RuntimeException | Error ex) { // Error too: an OutOfMemoryError must not leave the slab allocated
            arena.close();
            source.close();
            throw ex;
        }
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
            n += (long) lmHead.outFeatures() * lmHead.inFeatures();
        }
        for (LayerWeights l : layers) {
            n += l.inputNorm().length + l.postAttentionNorm().length;
            for (Linear lin : linears(l)) {
                n += (long) lin.outFeatures() * lin.inFeatures() + (lin.bias() == null ? 0 : lin.bias().length);
            }
        }
        return n;
    }

    /** The seven projections of a layer. */
    public static List<Linear> linears(LayerWeights l) {
        return List.of(l.q(), l.k(), l.v(), l.o(), l.gate(), l.up(), l.down());
    }

    /** Bytes of weight data: the file's tensors, or what the model holds in memory once quantised. */
    public long weightBytes() {
        if (quantized == null) {
            long n = 0;
            for (String name : weights.names()) {
                n += weights.require(name).data().byteSize();
            }
            return n;
        }
        long n = embedTokens.data().byteSize() + lmHead.weightBytes() + (long) finalNorm.length * Float.BYTES;
        for (LayerWeights l : layers) {
            n += (long) (l.inputNorm().length + l.postAttentionNorm().length) * Float.BYTES;
            for (Linear lin : linears(l)) {
                n += lin.weightBytes() + (lin.bias() == null ? 0 : (long) lin.bias().length * Float.BYTES);
            }
        }
        return n;
    }

    /** How the layer matrices are held: the file dtype, or the quantisation applied at load. */
    public WeightFormat weightFormat() {
        return layers.getFirst().q().format();
    }

    @Override
    public void close() {
        weights.close();
        if (quantized != null) {
            quantized.close();
        }
    }
}
