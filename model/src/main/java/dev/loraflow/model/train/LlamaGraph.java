package dev.loraflow.model.train;

import dev.loraflow.core.LoraflowException;
import dev.loraflow.core.autograd.LoraStack;
import dev.loraflow.core.autograd.Ops;
import dev.loraflow.core.autograd.RopeTable;
import dev.loraflow.core.autograd.Variable;
import dev.loraflow.core.config.LlamaConfig;
import dev.loraflow.kernels.grad.AttentionGrad;
import dev.loraflow.model.llama.LayerWeights;
import dev.loraflow.model.llama.Linear;
import dev.loraflow.model.llama.LlamaModel;
import dev.loraflow.model.lora.Projection;

/**
 * The Llama forward pass as a differentiable graph over a batch of sequences (teacher forcing), with the
 * adapters of an {@link AdapterGraph} fused into every projection. Computes the same function as
 * {@link dev.loraflow.model.llama.InferenceSession}; with recompute on, each decoder layer keeps only its
 * input and is run again during backward.
 */
public final class LlamaGraph {
    private final LlamaModel model;
    private final LlamaConfig config;
    private final AdapterGraph adapters;
    private final boolean recompute;
    private RopeTable rope;

    public LlamaGraph(LlamaModel model, AdapterGraph adapters, boolean recompute) {
        this.model = model;
        this.config = model.config();
        this.adapters = adapters;
        this.recompute = recompute;
        if (config.attentionBias() || config.mlpBias()) {
            throw new LoraflowException("training on models with attention_bias or mlp_bias is not supported yet");
        }
    }

    /** Mean cross-entropy over the batch's counted targets. */
    public Variable loss(Ops ops, TrainingBatch batch) {
        return ops.crossEntropy(logits(ops, batch), batch.targets(), batch.counted());
    }

    /** Logits [B·T][vocab]. */
    public Variable logits(Ops ops, TrainingBatch batch) {
        RopeTable table = rope(batch.seqLen());
        Variable x = ops.embedding(model.embedTokens(), batch.ids());
        for (int l = 0; l < config.numLayers(); l++) {
            int layer = l;
            if (recompute) {
                x = ops.checkpoint((o, in) -> layer(o, layer, in, batch, table), x);
            } else {
                x = layer(ops, layer, x, batch, table);
            }
        }
        Variable normed = ops.rmsNorm(x, model.finalNorm(), (float) config.rmsNormEps());
        return ops.linear(normed, model.lmHead().weight());
    }

    private Variable layer(Ops ops, int l, Variable x, TrainingBatch batch, RopeTable table) {
        LayerWeights w = model.layers().get(l);
        float eps = (float) config.rmsNormEps();
        Variable coef = adapters.coefficients(ops, l, x);
        Variable xn = ops.rmsNorm(x, w.inputNorm(), eps);
        Variable q = project(ops, l, Projection.Q, w.q(), xn, coef);
        Variable k = project(ops, l, Projection.K, w.k(), xn, coef);
        Variable v = project(ops, l, Projection.V, w.v(), xn, coef);
        q = ops.rope(q, config.numHeads(), config.headDim(), table, batch.seqLen());
        k = ops.rope(k, config.numKvHeads(), config.headDim(), table, batch.seqLen());
        Variable attn = ops.attention(q, k, v, new AttentionGrad.Shape(batch.sequences(), batch.seqLen(),
                config.numHeads(), config.numKvHeads(), config.headDim(), (float) (1.0 / Math.sqrt(config.headDim()))));
        Variable h = ops.add(x, project(ops, l, Projection.O, w.o(), attn, coef));
        Variable hn = ops.rmsNorm(h, w.postAttentionNorm(), eps);
        Variable gate = project(ops, l, Projection.GATE, w.gate(), hn, coef);
        Variable up = project(ops, l, Projection.UP, w.up(), hn, coef);
        Variable down = project(ops, l, Projection.DOWN, w.down(), ops.siluMul(gate, up), coef);
        return ops.add(h, down);
    }

    private Variable project(Ops ops, int l, Projection p, Linear base, Variable z, Variable coef) {
        LoraStack stack = adapters.stack(l, p);
        return stack == null ? ops.linear(z, base.weight()) : ops.loraLinear(z, base.weight(), stack, coef);
    }

    private RopeTable rope(int seqLen) {
        if (rope == null || rope.positions() < seqLen) {
            var table = new dev.loraflow.model.llama.RopeTable(config, Math.max(seqLen, 64));
            rope = new RopeTable(table.cos(), table.sin(), config.headDim());
        }
        return rope;
    }
}
