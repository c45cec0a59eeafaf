package dev.loraflow.model.eval;

import dev.loraflow.model.lora.StaticWeights;
import java.util.List;

/**
 * The task-level baselines by name: {@code base} (no adapter active), {@code single:NAME} (that adapter at
 * weight 1, the others 0) and {@code average} (1/k each).
 */
public sealed interface FusionMode {
    record Base() implements FusionMode {}

    record Single(String adapter) implements FusionMode {}

    record Average() implements FusionMode {}

    static FusionMode parse(String text) {
        if (text.equals("base")) {
            return new Base();
        }
        if (text.equals("average")) {
            return new Average();
        }
        if (text.startsWith("single:") && text.length() > "single:".length()) {
            return new Single(text.substring("single:".length()));
        }
        throw new IllegalArgumentException("--mode '" + text + "' must be base, single:NAME or average");
    }

    /** The weights of this mode over the loaded adapters, the same in every layer (all zero for base). */
    default StaticWeights weights(List<String> adapters, int layers) {
        float[] w = new float[adapters.size()];
        switch (this) {
            case Base b -> { }
            case Average a -> java.util.Arrays.fill(w, 1f / adapters.size());
            case Single s -> {
                int i = adapters.indexOf(s.adapter());
                if (i < 0) {
                    throw new IllegalArgumentException("--mode single:" + s.adapter() + " names no loaded adapter; loaded: " + adapters);
                }
                w[i] = 1f;
            }
        }
        return StaticWeights.uniform(layers, w);
    }
}
