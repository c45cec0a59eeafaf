package dev.loraflow.cli;

import dev.loraflow.core.config.LlamaConfig;
import dev.loraflow.model.tools.RandomAdapters;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "make-adapters", mixinStandardHelpOptions = true,
        description = "Write random PEFT LoRA adapters (all seven projections, scale 2) for a model, e.g. to try merge."
                + " Seed 1 gives the adapters bench --random-adapters uses.")
final class MakeAdaptersCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, description = "Model directory whose config.json fixes the shapes (weights are not read).")
    Path model;

    @Option(names = "--out", required = true, description = "Directory to write the adapters into, as OUT/a0, OUT/a1, ...")
    Path out;

    @Option(names = "--random-adapters", paramLabel = "K", defaultValue = "2", description = "How many adapters (default ${DEFAULT-VALUE}).")
    int count;

    @Option(names = "--adapter-rank", defaultValue = "16", description = "Rank of every adapter (default ${DEFAULT-VALUE}).")
    int rank;

    @Option(names = "--seed", defaultValue = "1", description = "Random seed (default ${DEFAULT-VALUE}, as bench --random-adapters).")
    long seed;

    @Override
    public Integer call() {
        if (count < 1 || rank < 1) {
            throw new IllegalArgumentException("--random-adapters and --adapter-rank must be at least 1, got " + count + " and " + rank);
        }
        LlamaConfig config = LlamaConfig.load(model);
        var dirs = RandomAdapters.write(RandomAdapters.create(config, count, rank, seed), model.toAbsolutePath().toString(), out);
        PrintWriter o = spec.commandLine().getOut();
        dirs.forEach(d -> o.println("wrote " + d));
        o.flush();
        return 0;
    }
}
