package dev.loraflow.model.train;

import dev.loraflow.core.autograd.LoraStack;
import dev.loraflow.core.autograd.Ops;
import dev.loraflow.core.autograd.Parameter;
import dev.loraflow.core.autograd.Variable;
import dev.loraflow.model.lora.Projection;
import java.util.List;

/** What the adapters contribute to the differentiable forward pass, and which of their numbers train. */
public interface AdapterGraph {
    /** The stacked adapters of a projection, or null when none touches it. */
    LoraStack stack(int layer, Projection p);

    /** Layer l's fusion weights [rows][k] for the residual inputs x [rows][d]. */
    Variable coefficients(Ops ops, int layer, Variable x);

    /** LoRA dropout on the adapters' input while training (PEFT's lora_dropout); 0 = none. */
    default float dropout() {
        return 0f;
    }

    /** What the optimizer updates. */
    List<Parameter> parameters();
}
