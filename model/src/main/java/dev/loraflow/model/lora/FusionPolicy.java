package dev.loraflow.model.lora;

/**
 * Chooses the fusion weights c(t) of every adapter for each token of a layer, from the layer's
 * residual-stream input (before input_layernorm). The same weights serve all seven projections of the layer.
 */
public interface FusionPolicy {
    int adapterCount();

    /**
     * @param hidden [n][d] residual inputs of layer {@code layer} at offset 0
     * @param out    [n][k] receives the weights
     */
    void weights(int layer, float[] hidden, int n, int d, float[] out);
}
