package dev.loraflow.cli;

import dev.loraflow.model.LanguageModel;
import dev.loraflow.model.data.Dataset;
import dev.loraflow.model.data.ExampleEncoder;
import dev.loraflow.model.train.TrainingSettings;
import java.io.PrintWriter;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The trainer's flags, shared by train-gate and train-lora; defaults are the released LoRA-Flow recipe. */
final class TrainOptions {
    private static final TrainingSettings RECIPE = TrainingSettings.loraFlowDefaults();

    @Option(names = "--data", required = true, paramLabel = "FILE.jsonl",
            description = "Training data: {\"prompt\",\"response\"} or {\"text\"} a line.")
    Path data;

    @Option(names = "--dev", paramLabel = "FILE.jsonl", description = "Dev data: loss after every epoch; the best epoch is kept.")
    Path dev;

    @Option(names = "--epochs", description = "Passes over the data (default ${DEFAULT-VALUE}).")
    int epochs = RECIPE.epochs();

    @Option(names = "--lr", description = "Peak learning rate (default ${DEFAULT-VALUE}).")
    float lr = RECIPE.learningRate();

    @Option(names = "--batch-size", description = "Examples per step (default ${DEFAULT-VALUE}).")
    int batchSize = RECIPE.batchSize();

    @Option(names = "--warmup", description = "Fraction of steps with linear warm-up before the cosine decay (default ${DEFAULT-VALUE}).")
    float warmup = RECIPE.warmupFraction();

    @Option(names = "--weight-decay", description = "AdamW decoupled weight decay, not on biases (default ${DEFAULT-VALUE}).")
    float weightDecay = RECIPE.weightDecay();

    @Option(names = "--max-grad-norm", description = "Gradient clipping norm; 0 = off (default ${DEFAULT-VALUE}).")
    float maxGradNorm = RECIPE.maxGradNorm();

    @Option(names = "--dropout", description = "LoRA dropout on the adapters' inputs while training (default ${DEFAULT-VALUE}).")
    float dropout = 0.1f;

    @Option(names = "--seed", description = "Seed for data order, dropout and initialisation (default ${DEFAULT-VALUE}).")
    long seed = RECIPE.seed();

    @Option(names = "--max-seq-len", description = "Examples are cut to this many tokens (default ${DEFAULT-VALUE}).")
    int maxSeqLen = 512;

    @Option(names = "--recompute", description = "Recompute each layer's activations in backward: less memory, about 1/3 more time.")
    boolean recompute;

    TrainingSettings settings() {
        return new TrainingSettings(epochs, lr, batchSize, warmup, weightDecay, maxGradNorm,
                RECIPE.beta1(), RECIPE.beta2(), RECIPE.eps(), seed, recompute);
    }

    int maxLength(LanguageModel lm) {
        if (maxSeqLen < 2) {
            throw new IllegalArgumentException("--max-seq-len must be at least 2, got " + maxSeqLen);
        }
        return Math.min(maxSeqLen, lm.config().maxPositionEmbeddings());
    }

    /** Loads a data file (nothing is used if any line is bad) and reports truncated examples. */
    Dataset load(LanguageModel lm, Path file, PrintWriter err) {
        Dataset d = Dataset.load(file, ExampleEncoder.forModel(lm, maxLength(lm)));
        if (!d.truncatedLines().isEmpty()) {
            err.printf("%s: %d example(s) cut to %d tokens (lines %s)%n", file, d.truncatedLines().size(), maxLength(lm),
                    d.truncatedLines().size() > 10 ? d.truncatedLines().subList(0, 10) + "..." : d.truncatedLines());
        }
        return d;
    }

    Dataset loadTrain(LanguageModel lm, PrintWriter err) {
        return load(lm, data, err);
    }

    Dataset loadDev(LanguageModel lm, PrintWriter err) {
        return dev == null ? null : load(lm, dev, err);
    }
}
