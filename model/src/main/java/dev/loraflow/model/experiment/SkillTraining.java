package dev.loraflow.model.experiment;

import dev.loraflow.model.LanguageModel;
import dev.loraflow.model.data.Dataset;
import dev.loraflow.model.lora.AdapterStack;
import dev.loraflow.model.lora.LoraFlowGate;
import dev.loraflow.model.lora.Projection;
import dev.loraflow.model.train.GateGraph;
import dev.loraflow.model.train.LlamaGraph;
import dev.loraflow.model.train.LoraGraph;
import dev.loraflow.model.train.PeftAdapterWriter;
import dev.loraflow.model.train.Trainer;
import dev.loraflow.model.train.TrainingSettings;
import java.nio.file.Path;
import java.util.EnumSet;

/** Trains what sits on the frozen base model: a LoRA adapter (a skill), or a fusion gate over adapters. */
final class SkillTraining {
    private SkillTraining() {}

    /** A new LoRA on all seven projections, trained on {@code data} and written as a PEFT directory. */
    static void adapter(LanguageModel lm, String baseName, Dataset data, ReproduceConfig config, long seed, Path outDir,
                        ExperimentLog log) {
        LoraGraph lora = new LoraGraph(lm.config(), config.loraRank(), config.loraAlpha(), false,
                EnumSet.allOf(Projection.class), seed);
        TrainingSettings settings = ReproduceConfig.reseeded(config.adapters(), seed);
        new Trainer(new LlamaGraph(lm.model(), lora, false), lora.parameters(), lm.pool(), TokenizerFiles.UNK)
                .train(data, null, settings, log.training("adapter " + outDir.getFileName()));
        PeftAdapterWriter.write(lora, baseName, outDir);
    }

    /**
     * A LoRA-Flow gate (or, with {@code staticOnly}, the learned-static baseline) from the released start (task
     * adapter only), trained on the target examples and kept at the epoch with the lowest dev loss.
     */
    static LoraFlowGate gate(LanguageModel lm, AdapterStack adapters, Dataset train, Dataset dev,
                             TrainingSettings settings, boolean staticOnly, ExperimentLog log) {
        LoraFlowGate start = LoraFlowGate.initial(adapters.names(), lm.config().numLayers(), lm.config().hiddenSize());
        GateGraph gate = new GateGraph(adapters, start, staticOnly);
        new Trainer(new LlamaGraph(lm.model(), gate, false), gate.parameters(), lm.pool(), TokenizerFiles.UNK)
                .train(train, dev, settings, log.training(staticOnly ? "learned static" : "LoRA-Flow gate"));
        return gate.snapshot();
    }
}
