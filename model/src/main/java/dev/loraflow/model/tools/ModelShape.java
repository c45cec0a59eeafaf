package dev.loraflow.model.tools;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The dimensions of a Llama-family model, enough to write its config.json and a tensor of every weight. */
public record ModelShape(
        String name,
        int hiddenSize,
        int intermediateSize,
        int numLayers,
        int numHeads,
        int numKvHeads,
        int vocabSize,
        int maxPositionEmbeddings,
        boolean tiedEmbeddings,
        double ropeTheta,
        double rmsNormEps) {

    /** Real shapes for benchmarks, plus {@code tiny} for tests. */
    private static final Map<String, ModelShape> KNOWN = Map.of(
            "tinyllama-1.1b", new ModelShape("tinyllama-1.1b", 2048, 5632, 22, 32, 4, 32000, 2048, false, 10000, 1e-5),
            "stories110m", new ModelShape("stories110m", 768, 2048, 12, 12, 12, 32000, 1024, true, 10000, 1e-5),
            "stories15m", new ModelShape("stories15m", 288, 768, 6, 6, 6, 32000, 256, true, 10000, 1e-5),
            // untied with grouped-query attention, so the smallest shape still covers lm_head and kv heads < heads
            "tiny", new ModelShape("tiny", 64, 172, 2, 4, 2, 512, 128, false, 10000, 1e-5));

    public static Optional<ModelShape> named(String name) {
        return Optional.ofNullable(KNOWN.get(name));
    }

    public static List<String> names() {
        return KNOWN.keySet().stream().sorted().toList();
    }

    public int headDim() {
        return hiddenSize / numHeads;
    }

    public int kvDim() {
        return numKvHeads * headDim();
    }

    /** Every weight in HuggingFace order: embeddings, each layer's, the final norm, then lm_head when untied. */
    public List<TensorSpec> tensors() {
        int d = hiddenSize;
        List<TensorSpec> out = new ArrayList<>();
        out.add(TensorSpec.matrix("model.embed_tokens.weight", vocabSize, d));
        for (int l = 0; l < numLayers; l++) {
            String p = "model.layers." + l + ".";
            out.add(TensorSpec.matrix(p + "self_attn.q_proj.weight", d, d));
            out.add(TensorSpec.matrix(p + "self_attn.k_proj.weight", kvDim(), d));
            out.add(TensorSpec.matrix(p + "self_attn.v_proj.weight", kvDim(), d));
            out.add(TensorSpec.matrix(p + "self_attn.o_proj.weight", d, d));
            out.add(TensorSpec.matrix(p + "mlp.gate_proj.weight", intermediateSize, d));
            out.add(TensorSpec.matrix(p + "mlp.up_proj.weight", intermediateSize, d));
            out.add(TensorSpec.matrix(p + "mlp.down_proj.weight", d, intermediateSize));
            out.add(TensorSpec.norm(p + "input_layernorm.weight", d));
            out.add(TensorSpec.norm(p + "post_attention_layernorm.weight", d));
        }
        out.add(TensorSpec.norm("model.norm.weight", d));
        if (!tiedEmbeddings) {
            out.add(TensorSpec.matrix("lm_head.weight", vocabSize, d));
        }
        return out;
    }
}
