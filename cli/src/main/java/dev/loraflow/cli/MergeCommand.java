package dev.loraflow.cli;

import dev.loraflow.core.config.LlamaConfig;
import dev.loraflow.kernels.ThreadPool;
import dev.loraflow.model.lora.LoraAdapter;
import dev.loraflow.model.lora.LoraMerge;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "merge", mixinStandardHelpOptions = true,
        description = "Bake adapters with static weights into a new model directory: W + Σ c_i s_i B_i A_i, in W's dtype.")
final class MergeCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Mixin
    FusionOptions fusionOptions;

    @Option(names = "--model", required = true, description = "Base HuggingFace model directory.")
    Path model;

    @Option(names = "--out", required = true, description = "New model directory (must not exist).")
    Path out;

    @Override
    public Integer call() {
        if (fusionOptions.loras.isEmpty()) {
            throw new IllegalArgumentException("merge needs at least one --lora adapter");
        }
        LlamaConfig config = LlamaConfig.load(model);
        List<LoraAdapter> adapters = new ArrayList<>();
        fusionOptions.adapterDirs().forEach((name, dir) -> adapters.add(LoraAdapter.load(name, dir, config)));
        var weights = fusionOptions.staticWeights(adapters.stream().map(LoraAdapter::name).toList(), config.numLayers());
        try (ThreadPool pool = new ThreadPool(common.threads())) {
            LoraMerge.merge(model, adapters, weights, out, pool);
        }
        System.err.println("wrote merged model to " + out);
        return 0;
    }
}
