package dev.loraflow.cli;

import dev.loraflow.model.experiment.BaseModel;
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
                + " made-up-language word problems, as a Markdown table (DIR/results.md). With --base-model, the same"
                + " pipeline on a pretrained model (e.g. stories260K): no pretraining, its own tokenizer.")
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

    @Option(names = "--base-model", paramLabel = "DIR",
            description = "A pretrained Llama model directory to use as the base instead of training one here;"
                    + " the made-up language is built from its tokenizer's pieces (e.g. ../shared/models/stories260K).")
    Path baseModel;

    @Option(names = "--full-size",
            description = "With --base-model: the miniature's full adapter corpora and epochs (3,000 + 3,000 examples,"
                    + " 3 epochs) instead of the smaller default (800 + 1,500, 2 epochs); about three times longer.")
    boolean fullSize;

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
        // opened first, so a wrong path fails before anything is written
        BaseModel base = baseModel == null ? BaseModel.trainedHere() : BaseModel.pretrained(baseModel);
        if (fullSize && baseModel == null) {
            throw new IllegalArgumentException("--full-size applies to --base-model runs only (the miniature is already full size)");
        }
        ReproduceConfig config = smoke ? ReproduceConfig.smoke()
                : baseModel == null ? ReproduceConfig.standard()
                : fullSize ? ReproduceConfig.onPretrainedFullSize() : ReproduceConfig.onPretrained();
        String command = "loraflow reproduce" + (baseModel == null ? "" : " --base-model " + baseModel)
                + (fullSize ? " --full-size" : "");
        MiniatureExperiment.Outcome outcome = new MiniatureExperiment(config, base, command, common.threads(), log)
                .run(seed, seeds, out);
        stdout.print(outcome.report());
        stdout.flush();
        return 0;
    }
}
