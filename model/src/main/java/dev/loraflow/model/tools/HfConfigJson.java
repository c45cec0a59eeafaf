package dev.loraflow.model.tools;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loraflow.core.DType;

/** Renders a shape as the HuggingFace {@code config.json} a Llama checkpoint of that shape carries. */
final class HfConfigJson {
    private HfConfigJson() {}

    static String render(ModelShape s, DType dtype) {
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode c = mapper.createObjectNode();
        c.putArray("architectures").add("LlamaForCausalLM");
        c.put("model_type", "llama");
        c.put("hidden_act", "silu");
        c.put("hidden_size", s.hiddenSize());
        c.put("intermediate_size", s.intermediateSize());
        c.put("num_hidden_layers", s.numLayers());
        c.put("num_attention_heads", s.numHeads());
        c.put("num_key_value_heads", s.numKvHeads());
        c.put("vocab_size", s.vocabSize());
        c.put("max_position_embeddings", s.maxPositionEmbeddings());
        c.put("rope_theta", s.ropeTheta());
        c.put("rms_norm_eps", s.rmsNormEps());
        c.put("tie_word_embeddings", s.tiedEmbeddings());
        c.put("bos_token_id", 1); // Llama 2 tokenizer ids, so its tokenizer can be dropped in beside the weights
        c.put("eos_token_id", 2);
        c.put("torch_dtype", switch (dtype) {
            case BF16 -> "bfloat16";
            case F16 -> "float16";
            default -> "float32";
        });
        return c.toPrettyString() + "\n";
    }
}
