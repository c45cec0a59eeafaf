package dev.loraflow.model.lora;

import java.util.ArrayList;
import java.util.List;

/** Records the fusion weights every fed token received in every layer: [token][layer][adapter]. */
public final class WeightTrace {
    private final List<float[][]> tokens = new ArrayList<>();
    private final int layers;

    public WeightTrace(int layers) {
        this.layers = layers;
    }

    /** Called by the forward pass with layer l's weights [n][k] for n new tokens. */
    public void record(int layer, float[] weights, int n, int k) {
        if (layer == 0) {
            for (int t = 0; t < n; t++) {
                tokens.add(new float[layers][]);
            }
        }
        int first = tokens.size() - n;
        for (int t = 0; t < n; t++) {
            float[] w = new float[k];
            System.arraycopy(weights, t * k, w, 0, k);
            tokens.get(first + t)[layer] = w;
        }
    }

    public int size() {
        return tokens.size();
    }

    /** Weights of token t: [layer][adapter]. */
    public float[][] token(int t) {
        return tokens.get(t);
    }

    /** Token t's weights averaged over layers. */
    public float[] layerAverage(int t) {
        float[][] w = tokens.get(t);
        float[] avg = new float[w[0].length];
        for (float[] layer : w) {
            for (int i = 0; i < avg.length; i++) {
                avg[i] += layer[i] / w.length;
            }
        }
        return avg;
    }
}
