package dev.loraflow.model.train;

import dev.loraflow.core.autograd.LoraStack;
import dev.loraflow.core.autograd.Ops;
import dev.loraflow.core.autograd.Variable;
import dev.loraflow.model.lora.Projection;

/** The base model's weights in the differentiable graph: frozen (adapter and gate training) or trained (pretraining). */
public interface BaseGraph {
    /** Which RMSNorm of the model. */
    enum Norm { INPUT, POST_ATTENTION, FINAL }

    Variable embed(Ops ops, int[] ids);

    /** RMSNorm {@code which} of layer {@code layer} (ignored for FINAL). */
    Variable norm(Ops ops, int layer, Norm which, Variable x);

    /** A projection, plus the fused adapters when {@code adapters} is not null. */
    default Variable project(Ops ops, int layer, Projection p, Variable z, LoraStack adapters, Variable coefficients) {
        return project(ops, layer, p, z, z, adapters, coefficients);
    }

    /** A projection whose adapters read {@code zAdapters} (z after LoRA dropout). */
    Variable project(Ops ops, int layer, Projection p, Variable z, Variable zAdapters, LoraStack adapters,
                     Variable coefficients);

    Variable lmHead(Ops ops, Variable x);
}
