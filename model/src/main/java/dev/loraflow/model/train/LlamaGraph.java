package dev.loraflow.model.train;

import dev.loraflow.core.LoraflowException;
import dev.loraflow.core.autograd.LoraStack;
import dev.loraflow.core.autograd.Ops;
import dev.loraflow.core.autograd.RopeTable;
import dev.loraflow.core.autograd.Variable;
import dev.loraflow.core.config.LlamaConfig;
import dev.loraflow.kernels.grad.AttentionGrad;
import dev.loraflow.model.llama.LlamaModel;
import dev.loraflow.model.lora.Projection;

/**
 * The Llama forward pass as a differentiable graph over a batch of sequences (teacher forcing), with the
 * adapters of an {@link AdapterGraph} fused into every projection. Computes the same function as
 * {@link dev.loraflow.model.llama.InferenceSession}; with recompute on, each decoder layer keeps only its
 * input and is run again during backward.
 */
public final class LlamaGraph {
    private final LlamaConfig config;
    private final BaseGraph base;
    private final AdapterGraph adapters;
    private final boolean recompute;
    private RopeTable rope;

    /** Adapters (and gate) on a frozen base model. */
    public LlamaGraph(LlamaModel model, AdapterGraph adapters, boolean recompute) {
        this(model.config(), new FrozenBase(model), adapters, recompute);
    }

    public LlamaGraph(LlamaConfig config, BaseGraph base, AdapterGraph adapters, boolean recompute) {
        this.config = config;
        this.base = base;
        this.adapters = adapters;
        this.recompute = recompute;
        if (config.attentionBias() || config.mlpBias()) {
            throw new LoraflowException("training on models with attention_bias or mlp_bias is not supported yet");
        }
    }

    /** Mean cross-entropy over the batch's counted targets, as in evaluation (no dropout). */
    public Variable loss(Ops ops, TrainingBatch batch) {
        return ops.crossEntropy(logits(ops, batch), batch.targets(), batch.counted());
    }

    /** The loss with the adapters' dropout on, its masks drawn from {@code noiseSeed}. */
    public Variable trainingLoss(Ops ops, TrainingBatch batch, long noiseSeed) {
        return ops.crossEntropy(logits(ops, batch, noiseSeed), batch.targets(), batch.counted());
    }

    /** Logits [B·T][vocab], as in evaluation (no dropout). */
    public Variable logits(Ops ops, TrainingBatch batch) {
        return logits(ops, batch, null);
    }

    private Variable logits(Ops ops, TrainingBatch batch, Long noiseSeed) {
        RopeTable table = rope(batch.seqLen());
        Variable x = base.embed(ops, batch.ids());
        for (int l = 0; l < config.numLayers(); l++) {
            int layer = l;
            if (recompute) {
                x = ops.checkpoint((o, in) -> layer(o, layer, in, batch, table, noiseSeed), x);
            } else {
                x = layer(ops, layer, x, batch, table, noiseSeed);
            }
        }
        return base.lmHead(ops, base.norm(ops, -1, BaseGraph.Norm.FINAL, x));
    }

    private Variable layer(Ops ops, int l, Variable x, TrainingBatch batch, RopeTable table, Long noiseSeed) {
        Variable coef = adapters.coefficients(ops, l, x);
        Variable xn = base.norm(ops, l, BaseGraph.Norm.INPUT, x);
        Variable q = project(ops, l, Projection.Q, xn, coef, noiseSeed);
        Variable k = project(ops, l, Projection.K, xn, coef, noiseSeed);
        Variable v = project(ops, l, Projection.V, xn, coef, noiseSeed);
        q = ops.rope(q, config.numHeads(), config.headDim(), table, batch.seqLen());
        k = ops.rope(k, config.numKvHeads(), config.headDim(), table, batch.seqLen());
        Variable attn = ops.attention(q, k, v, new AttentionGrad.Shape(batch.sequences(), batch.seqLen(),
                config.numHeads(), config.numKvHeads(), config.headDim(), (float) (1.0 / Math.sqrt(config.headDim()))));
        Variable h = ops.add(x, project(ops, l, Projection.O, attn, coef, noiseSeed));
        Variable hn = base.norm(ops, l, BaseGraph.Norm.POST_ATTENTION, h);
        Variable gate = project(ops, l, Projection.GATE, hn, coef, noiseSeed);
        Variable up = project(ops, l, Projection.UP, hn, coef, noiseSeed);
        Variable down = project(ops, l, Projection.DOWN, ops.siluMul(gate, up), coef, noiseSeed);
        return ops.add(h, down);
    }

    private Variable project(Ops ops, int l, Projection p, Variable z, Variable coef, Long noiseSeed) {
        LoraStack stack = adapters.stack(l, p);
        if (stack == null || noiseSeed == null || adapters.dropout() == 0f) {
            return base.project(ops, l, p, z, stack, coef);
        }
        // one mask per projection and step, fixed by the seed so a recomputed layer replays it
        long seed = noiseSeed ^ (l * 0x9E3779B97F4A7C15L) ^ ((p.ordinal() + 1) * 0xBF58476D1CE4E5B9L);
        return base.project(ops, l, p, z, ops.dropout(z, adapters.dropout(), seed), stack, coef);
    }

    private RopeTable rope(int seqLen) {
        if (rope == null || rope.positions() < seqLen) {
            var table = new dev.loraflow.model.llama.RopeTable(config, Math.max(seqLen, 64));
            rope = new RopeTable(table.cos(), table.sin(), config.headDim());
        }
        return rope;
    }
}
