package dev.loraflow.model.llama;

import dev.loraflow.core.config.LlamaConfig;
import dev.loraflow.core.config.RopeScaling;

/**
 * cos/sin of every rotary frequency at every position of a context, HuggingFace convention:
 * element j of a head pairs with j + headDim/2 and turns by position × invFreq[j].
 */
public final class RopeTable {
    private final int half;
    private final int positions;
    private final float[] cos;
    private final float[] sin;

    public RopeTable(LlamaConfig config, int positions) {
        this.half = config.headDim() / 2;
        this.positions = positions;
        double[] invFreq = inverseFrequencies(config);
        this.cos = new float[positions * half];
        this.sin = new float[positions * half];
        for (int p = 0; p < positions; p++) {
            for (int j = 0; j < half; j++) {
                // HF multiplies position and frequency in float32 before cos/sin; do the same.
                float angle = (float) p * (float) invFreq[j];
                cos[p * half + j] = (float) Math.cos(angle);
                sin[p * half + j] = (float) Math.sin(angle);
            }
        }
    }

    /** invFreq[j] = theta^(-2j/headDim), rescaled as rope_scaling says. */
    public static double[] inverseFrequencies(LlamaConfig config) {
        int headDim = config.headDim();
        double[] inv = new double[headDim / 2];
        for (int j = 0; j < inv.length; j++) {
            inv[j] = (float) (1.0 / Math.pow(config.ropeTheta(), (2.0 * j) / headDim));
        }
        switch (config.ropeScaling()) {
            case RopeScaling.None none -> { }
            case RopeScaling.Linear linear -> {
                for (int j = 0; j < inv.length; j++) {
                    inv[j] /= linear.factor();
                }
            }
            case RopeScaling.Llama3 s -> applyLlama3(inv, s);
        }
        return inv;
    }

    /** Llama 3.1 scaling: long wavelengths slowed by factor, short ones kept, a smooth blend between. */
    private static void applyLlama3(double[] inv, RopeScaling.Llama3 s) {
        double oldContext = s.originalMaxPositionEmbeddings();
        double lowFreqWavelen = oldContext / s.lowFreqFactor();
        double highFreqWavelen = oldContext / s.highFreqFactor();
        for (int j = 0; j < inv.length; j++) {
            double wavelen = 2 * Math.PI / inv[j];
            if (wavelen < highFreqWavelen) {
                continue;
            }
            if (wavelen > lowFreqWavelen) {
                inv[j] = inv[j] / s.factor();
            } else {
                double smooth = (oldContext / wavelen - s.lowFreqFactor()) / (s.highFreqFactor() - s.lowFreqFactor());
                inv[j] = (1 - smooth) * inv[j] / s.factor() + smooth * inv[j];
            }
        }
    }

    public int positions() {
        return positions;
    }

    public float[] cos() {
        return cos;
    }

    public float[] sin() {
        return sin;
    }

    /** Offset of position p's row in {@link #cos()} and {@link #sin()}. */
    public int offset(int position) {
        return position * half;
    }
}
