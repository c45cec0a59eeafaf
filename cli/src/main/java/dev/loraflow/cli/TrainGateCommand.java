package dev.loraflow.cli;

import dev.loraflow.model.LanguageModel;
import dev.loraflow.model.lora.AdapterStack;
import dev.loraflow.model.lora.LoraAdapter;
import dev.loraflow.model.lora.LoraFlowGate;
import dev.loraflow.model.train.GateGraph;
import dev.loraflow.model.train.LlamaGraph;
import dev.loraflow.model.train.Trainer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "train-gate", mixinStandardHelpOptions = true,
        description = "Train a LoRA-Flow gate (per-layer W and b) for frozen adapters, with the released recipe as defaults.")
final class TrainGateCommand implements Callable<Integer> {
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

    @Option(names = "--lora", required = true, paramLabel = "NAME=DIR",
            description = "Adapters in gate row order (repeatable); the last one starts with weight 1.")
    List<String> loras;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "The gate file to write (safetensors).")
    Path out;

    @Option(names = "--temperature", description = "Softmax temperature of the gate (default ${DEFAULT-VALUE}).")
    float temperature = 1f;

    @Option(names = "--static", description = "Train b only with W = 0: one weight vector per layer for all tokens (learned-static baseline).")
    boolean staticOnly;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        var settings = training.settings();
        try (LanguageModel lm = load.open(model, common)) {
            List<LoraAdapter> adapters = lm.loadAdapters(FusionOptions.parseAdapters(loras));
            AdapterStack stack = AdapterStack.of(adapters, lm.config());
            var train = training.loadTrain(lm, err);
            var dev = training.loadDev(lm, err);
            LoraFlowGate start = LoraFlowGate.initial(stack.names(), lm.config().numLayers(), lm.config().hiddenSize())
                    .withTemperature(temperature);
            GateGraph gate = new GateGraph(stack, start, staticOnly, training.dropout);
            Trainer trainer = new Trainer(new LlamaGraph(lm.model(), gate, settings.recompute()), gate.parameters(), lm.pool(), 0);
            try (TrainingProgress progress = new TrainingProgress(staticOnly ? "train-gate --static" : "train-gate", err)) {
                Trainer.Result result = trainer.train(train, dev, settings, progress);
                progress.summary(result);
            }
            gate.snapshot().save(out);
            err.println("wrote " + out);
        }
        return 0;
    }
}
