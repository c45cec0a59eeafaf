package dev.loraflow.model.lora;

import dev.loraflow.core.LoraflowException;
import dev.loraflow.core.config.LlamaConfig;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** An ordered set of named adapters on one base model, fused per projection into {@link StackedLora}s. */
public final class AdapterStack {
    private final List<String> names;
    private final StackedLora[][] stacks; // [layer][projection], null where no adapter applies
    private final int maxRank;

    private AdapterStack(List<String> names, StackedLora[][] stacks, int maxRank) {
        this.names = names;
        this.stacks = stacks;
        this.maxRank = maxRank;
    }

    public static AdapterStack of(List<LoraAdapter> adapters, LlamaConfig base) {
        Set<String> seen = new HashSet<>();
        List<String> names = new ArrayList<>();
        for (LoraAdapter a : adapters) {
            if (!seen.add(a.name())) {
                throw new LoraflowException("adapter name '" + a.name() + "' is given twice; names must be unique");
            }
            if (a.numLayers() != base.numLayers()) {
                throw new LoraflowException("adapter '" + a.name() + "' has " + a.numLayers() + " layers, the base model "
                        + base.numLayers());
            }
            names.add(a.name());
        }
        StackedLora[][] stacks = new StackedLora[base.numLayers()][Projection.values().length];
        int maxRank = 0;
        for (int l = 0; l < base.numLayers(); l++) {
            for (Projection p : Projection.values()) {
                List<LoraWeights> perAdapter = new ArrayList<>();
                boolean any = false;
                for (LoraAdapter a : adapters) {
                    LoraWeights w = a.weights(l, p);
                    perAdapter.add(w);
                    any |= w != null;
                }
                if (any) {
                    StackedLora s = new StackedLora(LoraAdapter.inFeatures(base, p), LoraAdapter.outFeatures(base, p), perAdapter);
                    stacks[l][p.ordinal()] = s;
                    maxRank = Math.max(maxRank, s.totalRank());
                }
            }
        }
        return new AdapterStack(List.copyOf(names), stacks, maxRank);
    }

    public static AdapterStack empty(LlamaConfig base) {
        return new AdapterStack(List.of(), new StackedLora[base.numLayers()][Projection.values().length], 0);
    }

    public List<String> names() {
        return names;
    }

    public int size() {
        return names.size();
    }

    /** The fused update of a projection, or null when no adapter touches it. */
    public StackedLora get(int layer, Projection p) {
        return stacks[layer][p.ordinal()];
    }

    /** The largest stacked rank over all projections (sizes scratch buffers). */
    public int maxTotalRank() {
        return maxRank;
    }

    public int indexOf(String name) {
        int i = names.indexOf(name);
        if (i < 0) {
            throw new LoraflowException("unknown adapter '" + name + "'; loaded adapters are " + names);
        }
        return i;
    }
}
