package dev.loraflow.model.train;

import dev.loraflow.core.autograd.LoraStack;
import dev.loraflow.core.autograd.Ops;
import dev.loraflow.core.autograd.Parameter;
import dev.loraflow.core.autograd.Variable;
import dev.loraflow.model.lora.AdapterStack;
import dev.loraflow.model.lora.LoraFlowGate;
import dev.loraflow.model.lora.Projection;
import dev.loraflow.model.lora.StackedLora;
import java.util.ArrayList;
import java.util.List;

/**
 * LoRA-Flow gate training: the adapters are frozen constants and only the gate trains — per layer W_l [k][d]
 * and b_l [1][k], or b_l alone when {@code staticOnly} (the learned-static baseline: W stays 0, so every token
 * gets softmax(0) + b_l).
 */
public final class GateGraph implements AdapterGraph {
    private final LoraStack[][] stacks;
    private final Variable[] weights;
    private final Parameter[] biases;
    private final float temperature;
    private final List<Parameter> parameters = new ArrayList<>();
    private final float dropout;
    private final List<String> adapterNames;

    /** Without LoRA dropout. */
    public GateGraph(AdapterStack adapters, LoraFlowGate start, boolean staticOnly) {
        this(adapters, start, staticOnly, 0f);
    }

    /** @param dropout LoRA dropout on the adapters' inputs while training (the recipe's 0.1) */
    public GateGraph(AdapterStack adapters, LoraFlowGate start, boolean staticOnly, float dropout) {
        if (!(dropout >= 0 && dropout < 1)) {
            throw new dev.loraflow.core.LoraflowException("--dropout must be in [0, 1), got " + dropout);
        }
        this.dropout = dropout;
        int layers = start.numLayers();
        int k = adapters.size();
        int d = start.hiddenSize();
        this.adapterNames = adapters.names();
        this.temperature = start.temperature();
        this.stacks = new LoraStack[layers][Projection.values().length];
        this.weights = new Variable[layers];
        this.biases = new Parameter[layers];
        for (int l = 0; l < layers; l++) {
            for (Projection p : Projection.values()) {
                StackedLora s = adapters.get(l, p);
                if (s != null) {
                    stacks[l][p.ordinal()] = new LoraStack(
                            Variable.constant(s.stackedA(), s.totalRank(), s.in()),
                            Variable.constant(s.stackedB(), s.out(), s.totalRank()), s.ranks(), s.scales());
                }
            }
            String prefix = "model.layers." + l + ".fusion_gate.";
            weights[l] = staticOnly
                    ? Variable.constant(new float[k * d], k, d)
                    : new Parameter(prefix + "weight", start.weight(l), k, d);
            biases[l] = new Parameter(prefix + "bias", start.bias(l), 1, k);
            if (!staticOnly) {
                parameters.add((Parameter) weights[l]);
            }
            parameters.add(biases[l]);
        }
    }

    @Override
    public LoraStack stack(int layer, Projection p) {
        return stacks[layer][p.ordinal()];
    }

    @Override
    public Variable coefficients(Ops ops, int layer, Variable x) {
        return ops.gate(x, weights[layer], biases[layer], temperature);
    }

    @Override
    public float dropout() {
        return dropout;
    }

    @Override
    public List<Parameter> parameters() {
        return parameters;
    }

    /** The gate as it stands now (copies of the trained numbers). */
    public LoraFlowGate snapshot() {
        int layers = weights.length;
        float[][] w = new float[layers][];
        float[][] b = new float[layers][];
        for (int l = 0; l < layers; l++) {
            w[l] = weights[l].data().clone();
            b[l] = biases[l].data().clone();
        }
        return new LoraFlowGate(adapterNames, weights[0].cols(), temperature, w, b);
    }
}
