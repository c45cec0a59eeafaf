package dev.loraflow.model.train;

import dev.loraflow.core.autograd.LoraStack;
import dev.loraflow.core.autograd.Ops;
import dev.loraflow.core.autograd.Parameter;
import dev.loraflow.core.autograd.Variable;
import dev.loraflow.model.lora.Projection;
import java.util.List;

/** No adapters at all (full-weight training of the base). */
public final class NoAdapters implements AdapterGraph {
    @Override
    public LoraStack stack(int layer, Projection p) {
        return null;
    }

    @Override
    public Variable coefficients(Ops ops, int layer, Variable x) {
        return null;
    }

    @Override
    public List<Parameter> parameters() {
        return List.of();
    }
}
