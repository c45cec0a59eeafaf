package dev.loraflow.cli;

import dev.loraflow.core.config.LlamaConfig;
import dev.loraflow.model.LanguageModel;
import dev.loraflow.model.eval.FusionMode;
import dev.loraflow.model.lora.AdapterStack;
import dev.loraflow.model.lora.Fusion;
import dev.loraflow.model.lora.FusionPolicy;
import dev.loraflow.model.lora.LoraAdapter;
import dev.loraflow.model.lora.LoraFlowGate;
import dev.loraflow.model.lora.StaticWeights;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/** --lora, --weights, --gate: which adapters to load and how to weight them. */
final class FusionOptions {
    @Option(names = "--lora", paramLabel = "NAME=DIR",
            description = "A PEFT LoRA adapter directory, optionally named (repeatable; the order is the gate's row order).")
    List<String> loras = new ArrayList<>();

    @Option(names = "--weights", paramLabel = "NAME=W,...|FILE.json",
            description = "Static fusion weights, e.g. lang=0.5,task=0.5, or a JSON file {name: w} or {name: [w per layer]}."
                    + " Without --weights or --gate every adapter has weight 1.")
    String weights;

    @Option(names = "--gate", paramLabel = "FILE", description = "A LoRA-Flow gate (safetensors) for the --lora adapters.")
    Path gate;

    @Option(names = "--mode", paramLabel = "base|single:NAME|average",
            description = "A task-level baseline: base (no adapter active), single:NAME (that adapter alone) or average (1/k each).")
    String mode;

    @Option(names = "--gate-temperature", paramLabel = "T", description = "Override the gate's softmax temperature.")
    Float gateTemperature;

    /** Adapter directories by name, in command-line order. */
    Map<String, Path> adapterDirs() {
        return parseAdapters(loras);
    }

    /** NAME=DIR or DIR (named after the directory) specs, names unique, order kept. */
    static Map<String, Path> parseAdapters(List<String> specs) {
        Map<String, Path> dirs = new LinkedHashMap<>();
        for (String spec : specs) {
            int eq = spec.indexOf('=');
            String name = eq > 0 ? spec.substring(0, eq) : Path.of(spec).getFileName().toString();
            Path dir = Path.of(eq > 0 ? spec.substring(eq + 1) : spec);
            if (name.isBlank() || dir.toString().isBlank()) {
                throw new IllegalArgumentException("--lora '" + spec + "' must be NAME=DIR or DIR");
            }
            if (dirs.put(name, dir) != null) {
                throw new IllegalArgumentException("--lora name '" + name + "' is given twice; names must be unique");
            }
        }
        return dirs;
    }

    private void checkFlags() {
        if (loras.isEmpty() && (weights != null || gate != null)) {
            throw new IllegalArgumentException((gate != null ? "--gate" : "--weights") + " needs at least one --lora adapter");
        }
        if (weights != null && gate != null) {
            throw new IllegalArgumentException("--weights and --gate exclude each other: choose static or per-token fusion");
        }
        if (mode != null && (weights != null || gate != null)) {
            throw new IllegalArgumentException("--mode excludes --weights and --gate: choose one way to weight the adapters");
        }
        if (mode != null && loras.isEmpty() && !(FusionMode.parse(mode) instanceof FusionMode.Base)) {
            throw new IllegalArgumentException("--mode " + mode + " needs at least one --lora adapter");
        }
        if (gateTemperature != null && gate == null) {
            throw new IllegalArgumentException("--gate-temperature needs --gate");
        }
    }

    /** Loads the adapters and builds the fusion the flags describe (the base model alone when there are none). */
    Fusion build(LanguageModel lm) {
        checkFlags();
        if (loras.isEmpty() || isBaseMode()) {
            return lm.baseFusion();
        }
        return fusion(lm.loadAdapters(adapterDirs()), lm.config());
    }

    /** The fusion the flags describe over adapters already loaded for {@code base}. */
    Fusion fusion(List<LoraAdapter> adapters, LlamaConfig base) {
        checkFlags();
        if (adapters.isEmpty() || isBaseMode()) {
            return Fusion.none(base);
        }
        AdapterStack stack = AdapterStack.of(adapters, base);
        return new Fusion(stack, policy(stack.names(), base.numLayers(), base.hiddenSize()));
    }

    private boolean isBaseMode() {
        return mode != null && FusionMode.parse(mode) instanceof FusionMode.Base;
    }

    private FusionPolicy policy(List<String> names, int layers, int hidden) {
        if (gate != null) {
            LoraFlowGate g = LoraFlowGate.load(gate, names, layers, hidden);
            return gateTemperature == null ? g : g.withTemperature(gateTemperature);
        }
        return staticWeights(names, layers);
    }

    /** The static weights of --weights (all ones without it). */
    StaticWeights staticWeights(List<String> names, int layers) {
        checkFlags();
        if (gate != null) {
            throw new IllegalArgumentException("--gate cannot be used here; give static --weights");
        }
        if (mode != null) {
            return FusionMode.parse(mode).weights(names, layers);
        }
        if (weights == null) {
            return StaticWeights.allOnes(layers, names.size());
        }
        if (weights.endsWith(".json") || Files.isRegularFile(Path.of(weights))) {
            return StaticWeights.fromJson(Path.of(weights), names, layers);
        }
        Map<String, Float> byName = new LinkedHashMap<>();
        for (String part : weights.split(",")) {
            String[] kv = part.split("=", 2);
            if (kv.length != 2) {
                throw new IllegalArgumentException("--weights '" + part + "' must be NAME=WEIGHT, e.g. lang=0.5,task=0.5");
            }
            try {
                byName.put(kv[0].trim(), Float.parseFloat(kv[1].trim()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--weights: '" + kv[1] + "' for adapter '" + kv[0] + "' is not a number");
            }
        }
        return StaticWeights.byName(layers, names, byName);
    }
}
