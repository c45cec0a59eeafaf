package dev.loraflow.cli;

import dev.loraflow.model.LanguageModel;
import dev.loraflow.model.lora.Projection;
import dev.loraflow.model.train.LlamaGraph;
import dev.loraflow.model.train.LoraGraph;
import dev.loraflow.model.train.PeftAdapterWriter;
import dev.loraflow.model.train.Trainer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "train-lora", mixinStandardHelpOptions = true,
        description = "Train a new LoRA adapter on a frozen base model and write it as a PEFT adapter directory.")
final class TrainLoraCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    CommonOptions common;

    @Mixin
    LoadOptions load;

    @Mixin
    TrainOptions training;

    @Option(names = "--model", required = true, description = "Base HuggingFace model directory.")
    Path model;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "The adapter directory to create (must not exist).")
    Path out;

    @Option(names = "--rank", description = "LoRA rank r (default ${DEFAULT-VALUE}).")
    int rank = 8;

    @Option(names = "--alpha", description = "lora_alpha; the scaling is alpha/r, or alpha/sqrt(r) with --rslora (default ${DEFAULT-VALUE}).")
    float alpha = 16f;

    @Option(names = "--rslora", description = "Rank-stabilised scaling alpha/sqrt(r).")
    boolean rslora;

    @Option(names = "--targets", split = ",", paramLabel = "PROJ",
            description = "Projections to adapt, e.g. q_proj,v_proj (default: all seven).")
    List<String> targets;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        var settings = training.settings();
        Set<Projection> projections = projections();
        try (LanguageModel lm = load.open(model, common)) {
            var train = training.loadTrain(lm, err);
            var dev = training.loadDev(lm, err);
            LoraGraph lora = new LoraGraph(lm.config(), rank, alpha, rslora, projections, training.dropout, settings.seed());
            Trainer trainer = new Trainer(new LlamaGraph(lm.model(), lora, settings.recompute()), lora.parameters(), lm.pool(), 0);
            try (TrainingProgress progress = new TrainingProgress("train-lora", err)) {
                progress.summary(trainer.train(train, dev, settings, progress));
            }
            PeftAdapterWriter.write(lora, model.toString(), out);
            err.println("wrote " + out);
        }
        return 0;
    }

    private Set<Projection> projections() {
        if (targets == null || targets.isEmpty()) {
            return EnumSet.allOf(Projection.class);
        }
        Set<Projection> set = EnumSet.noneOf(Projection.class);
        for (String t : targets) {
            set.add(Projection.fromShortName(t.trim()).orElseThrow(() -> new IllegalArgumentException(
                    "--targets: '" + t + "' is not a projection; use q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj")));
        }
        return set;
    }
}
