package dev.loraflow.model.train;

import dev.loraflow.core.LoraflowException;
import dev.loraflow.core.autograd.LoraStack;
import dev.loraflow.core.autograd.Ops;
import dev.loraflow.core.autograd.Parameter;
import dev.loraflow.core.autograd.Variable;
import dev.loraflow.core.config.LlamaConfig;
import dev.loraflow.core.safetensors.SafetensorsWriter;
import dev.loraflow.model.llama.LayerWeights;
import dev.loraflow.model.llama.Linear;
import dev.loraflow.model.llama.LlamaModel;
import dev.loraflow.model.lora.Projection;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Every weight of a model as a trainable F32 parameter, started from a loaded model (e.g. a random one from
 * make-model): full-weight training, as for pretraining a small base model. Tied embeddings share one
 * parameter between the embedding and the output head, so both paths train it.
 */
public final class TrainableBase implements BaseGraph {
    private final LlamaConfig config;
    private final float eps;
    private final Parameter embed;
    private final Parameter lmHead;
    private final Parameter finalNorm;
    private final Parameter[][] norms;       // [layer][INPUT, POST_ATTENTION]
    private final Parameter[][] projections; // [layer][projection]
    private final List<Parameter> parameters = new ArrayList<>();

    public TrainableBase(LlamaModel model) {
        this.config = model.config();
        if (config.attentionBias() || config.mlpBias()) {
            throw new LoraflowException("full-weight training of models with biases is not supported");
        }
        this.eps = (float) config.rmsNormEps();
        int d = config.hiddenSize();
        this.embed = add("model.embed_tokens.weight", model.embedTokens().toFloatArray(), config.vocabSize(), d);
        this.norms = new Parameter[config.numLayers()][2];
        this.projections = new Parameter[config.numLayers()][Projection.values().length];
        for (int l = 0; l < config.numLayers(); l++) {
            LayerWeights w = model.layers().get(l);
            String prefix = "model.layers." + l + ".";
            norms[l][0] = add(prefix + "input_layernorm.weight", w.inputNorm().clone(), 1, d);
            norms[l][1] = add(prefix + "post_attention_layernorm.weight", w.postAttentionNorm().clone(), 1, d);
            Linear[] linears = {w.q(), w.k(), w.v(), w.o(), w.gate(), w.up(), w.down()};
            for (Projection p : Projection.values()) {
                Linear lin = linears[p.ordinal()];
                projections[l][p.ordinal()] = add(p.modulePath(l) + ".weight", lin.weight().toFloatArray(),
                        lin.outFeatures(), lin.inFeatures());
            }
        }
        this.finalNorm = add("model.norm.weight", model.finalNorm().clone(), 1, d);
        this.lmHead = config.tieWordEmbeddings() ? embed
                : add("lm_head.weight", model.lmHead().weight().toFloatArray(), config.vocabSize(), d);
    }

    private Parameter add(String name, float[] values, int rows, int cols) {
        Parameter p = new Parameter(name, values, rows, cols);
        parameters.add(p);
        return p;
    }

    public List<Parameter> parameters() {
        return parameters;
    }

    @Override
    public Variable embed(Ops ops, int[] ids) {
        return ops.embedding(embed, ids);
    }

    @Override
    public Variable norm(Ops ops, int layer, Norm which, Variable x) {
        Parameter weight = switch (which) {
            case INPUT -> norms[layer][0];
            case POST_ATTENTION -> norms[layer][1];
            case FINAL -> finalNorm;
        };
        return ops.rmsNorm(x, weight, eps);
    }

    @Override
    public Variable project(Ops ops, int layer, Projection p, Variable z, Variable zAdapters, LoraStack adapters,
                            Variable coefficients) {
        if (adapters != null) {
            throw new LoraflowException("training adapters and base weights together is not supported");
        }
        return ops.linear(z, projections[layer][p.ordinal()]);
    }

    @Override
    public Variable lmHead(Ops ops, Variable x) {
        return ops.linear(x, lmHead);
    }

    /** Writes the trained weights as model.safetensors (F32, HF names; lm_head omitted when tied). */
    public void save(Path file) {
        SafetensorsWriter writer = new SafetensorsWriter().metadata("format", "pt");
        for (Parameter p : parameters) {
            long[] shape = p.rows() == 1 ? new long[] {p.cols()} : new long[] {p.rows(), p.cols()};
            writer.addF32(p.name(), shape, p.data());
        }
        writer.write(file);
    }
}
