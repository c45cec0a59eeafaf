package dev.loraflow.model.train;

import dev.loraflow.core.autograd.LoraStack;
import dev.loraflow.core.autograd.Ops;
import dev.loraflow.core.autograd.Variable;
import dev.loraflow.core.config.LlamaConfig;
import dev.loraflow.model.llama.LayerWeights;
import dev.loraflow.model.llama.LlamaModel;
import dev.loraflow.model.lora.Projection;

/** A loaded model's weights as frozen constants, read in their file dtype; gradients flow through them. */
public final class FrozenBase implements BaseGraph {
    private final LlamaModel model;
    private final float eps;

    public FrozenBase(LlamaModel model) {
        this.model = model;
        this.eps = (float) model.config().rmsNormEps();
    }

    public LlamaConfig config() {
        return model.config();
    }

    @Override
    public Variable embed(Ops ops, int[] ids) {
        return ops.embedding(model.embedTokens(), ids);
    }

    @Override
    public Variable norm(Ops ops, int layer, Norm which, Variable x) {
        float[] weight = switch (which) {
            case INPUT -> model.layers().get(layer).inputNorm();
            case POST_ATTENTION -> model.layers().get(layer).postAttentionNorm();
            case FINAL -> model.finalNorm();
        };
        return ops.rmsNorm(x, weight, eps);
    }

    @Override
    public Variable project(Ops ops, int layer, Projection p, Variable z, Variable zAdapters, LoraStack adapters,
                            Variable coefficients) {
        LayerWeights w = model.layers().get(layer);
        var weight = switch (p) {
            case Q -> w.q();
            case K -> w.k();
            case V -> w.v();
            case O -> w.o();
            case GATE -> w.gate();
            case UP -> w.up();
            case DOWN -> w.down();
        };
        return adapters == null ? ops.linear(z, weight.weight()) : ops.loraLinear(z, zAdapters, weight.weight(), adapters, coefficients);
    }

    @Override
    public Variable lmHead(Ops ops, Variable x) {
        return ops.linear(x, model.lmHead().weight());
    }
}
