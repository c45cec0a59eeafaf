package dev.loraflow.model.llama;

/** The frozen weights of one decoder layer. */
public record LayerWeights(
        float[] inputNorm,
        Linear q, Linear k, Linear v, Linear o,
        float[] postAttentionNorm,
        Linear gate, Linear up, Linear down) {
}
