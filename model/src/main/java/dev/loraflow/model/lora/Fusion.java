package dev.loraflow.model.lora;

import dev.loraflow.core.LoraflowException;
import dev.loraflow.core.config.LlamaConfig;

/** Adapters on a base model and the policy that weights them per token. */
public record Fusion(AdapterStack adapters, FusionPolicy policy) {
    public Fusion {
        if (policy.adapterCount() != adapters.size()) {
            throw new LoraflowException("the fusion weights cover " + policy.adapterCount() + " adapters but "
                    + adapters.size() + " are loaded " + adapters.names());
        }
    }

    /** No adapters: the base model alone. */
    public static Fusion none(LlamaConfig base) {
        return new Fusion(AdapterStack.empty(base), StaticWeights.uniform(base.numLayers()));
    }
}
