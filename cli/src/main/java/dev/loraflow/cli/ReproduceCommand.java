package dev.loraflow.cli;

import dev.loraflow.model.experiment.ExperimentLog;
import dev.loraflow.model.experiment.MiniatureExperiment;
import dev.loraflow.model.experiment.ReproduceConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "reproduce", mixinStandardHelpOptions = true,
        description = "LoRA-Flow's experiment in miniature, from nothing: synthetic corpora, a tokenizer, a base model"
                + " pretrained here, a language and a task adapter, gates; then seven fusion methods on held-out"
                + " made-up-language word problems, as a Markdown table (DIR/results.md).")
final class ReproduceCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    CommonOptions common;

    @Option(names = "--out", defaultValue = "reproduce-out", paramLabel = "DIR",
            description = "Where every artefact and results.md go; must be new or empty (default ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--seed", defaultValue = "1", description = "The first seed (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--seeds", defaultValue = "3", description = "How many seeds, each a whole run (default ${DEFAULT-VALUE}).")
    int seeds;

    @Option(names = "--smoke", hidden = true, description = "A drastically reduced configuration (tests).")
    boolean smoke;

    @Override
    public Integer call() {
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ExperimentLog log = new ExperimentLog(line -> {
            err.println(line);
            err.flush();
        });
        ReproduceConfig config = smoke ? ReproduceConfig.smoke() : ReproduceConfig.standard();
        MiniatureExperiment.Outcome outcome = new MiniatureExperiment(config, common.threads(), log).run(seed, seeds, out);
        stdout.print(outcome.report());
        stdout.flush();
        return 0;
    }
}
