package dev.loraflow.model.train;

import dev.loraflow.core.LoraflowException;
import dev.loraflow.core.autograd.LoraStack;
import dev.loraflow.core.autograd.Ops;
import dev.loraflow.core.autograd.Parameter;
import dev.loraflow.core.autograd.Variable;
import dev.loraflow.core.config.LlamaConfig;
import dev.loraflow.model.lora.LoraAdapter;
import dev.loraflow.model.lora.Projection;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Training one new LoRA adapter on a frozen base model: for every targeted projection A [r][in] (PEFT's
 * initialisation: uniform in ±1/√in, i.e. kaiming_uniform with a = √5) and B [out][r] = 0, so training starts
 * from the base model. Scaling alpha/r, or alpha/√r with rsLoRA.
 */
public final class LoraGraph implements AdapterGraph {
    private final int rank;
    private final float alpha;
    private final boolean rslora;
    private final Set<Projection> targets;
    private final LoraStack[][] stacks;
    private final List<Parameter> parameters = new ArrayList<>();
    private final float dropout;

    /** Without LoRA dropout. */
    public LoraGraph(LlamaConfig config, int rank, float alpha, boolean rslora, Set<Projection> targets, long seed) {
        this(config, rank, alpha, rslora, targets, 0f, seed);
    }

    public LoraGraph(LlamaConfig config, int rank, float alpha, boolean rslora, Set<Projection> targets, float dropout,
                     long seed) {
        if (!(dropout >= 0 && dropout < 1)) {
            throw new dev.loraflow.core.LoraflowException("--dropout must be in [0, 1), got " + dropout);
        }
        this.dropout = dropout;
        if (rank < 1) {
            throw new LoraflowException("--rank must be at least 1, got " + rank);
        }
        if (targets.isEmpty()) {
            throw new LoraflowException("--targets must name at least one projection");
        }
        this.rank = rank;
        this.alpha = alpha;
        this.rslora = rslora;
        this.targets = Set.copyOf(targets);
        float scale = (float) (rslora ? alpha / Math.sqrt(rank) : alpha / rank);
        SplittableRandom random = new SplittableRandom(seed);
        this.stacks = new LoraStack[config.numLayers()][Projection.values().length];
        for (int l = 0; l < config.numLayers(); l++) {
            for (Projection p : Projection.values()) {
                if (!targets.contains(p)) {
                    continue;
                }
                int in = LoraAdapter.inFeatures(config, p);
                int out = LoraAdapter.outFeatures(config, p);
                float[] a = new float[rank * in];
                float bound = (float) (1 / Math.sqrt(in));
                for (int i = 0; i < a.length; i++) {
                    a[i] = (float) ((random.nextDouble() * 2 - 1) * bound);
                }
                String prefix = "base_model.model." + p.modulePath(l) + ".";
                Parameter pa = new Parameter(prefix + "lora_A.weight", a, rank, in);
                Parameter pb = new Parameter(prefix + "lora_B.weight", new float[out * rank], out, rank);
                stacks[l][p.ordinal()] = new LoraStack(pa, pb, new int[] {rank}, new float[] {scale});
                parameters.add(pa);
                parameters.add(pb);
            }
        }
    }

    public int rank() {
        return rank;
    }

    public float alpha() {
        return alpha;
    }

    public boolean rslora() {
        return rslora;
    }

    public Set<Projection> targets() {
        return targets;
    }

    @Override
    public LoraStack stack(int layer, Projection p) {
        return stacks[layer][p.ordinal()];
    }

    @Override
    public Variable coefficients(Ops ops, int layer, Variable x) {
        float[] ones = new float[x.rows()];
        Arrays.fill(ones, 1f);
        return Variable.constant(ones, x.rows(), 1);
    }

    @Override
    public float dropout() {
        return dropout;
    }

    @Override
    public List<Parameter> parameters() {
        return parameters;
    }
}
