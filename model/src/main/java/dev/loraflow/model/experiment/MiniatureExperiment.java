package dev.loraflow.model.experiment;

import dev.loraflow.core.LoraflowException;
import dev.loraflow.core.io.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * LoRA-Flow's experiment in miniature: for each seed, the whole pipeline of {@link SeedRun} in
 * {@code out/seed-S/}; then the seven methods' table over all seeds, written to {@code out/results.md}.
 */
public final class MiniatureExperiment {
    private final ReproduceConfig config;
    private final BaseModel base;
    private final String command;
    private final int threads;
    private final ExperimentLog log;

    /** The miniature: a base model trained here from nothing. */
    public MiniatureExperiment(ReproduceConfig config, int threads, ExperimentLog log) {
        this(config, BaseModel.trainedHere(), "loraflow reproduce", threads, log);
    }

    /** @param command the command line the report names, without its --seed and --seeds */
    public MiniatureExperiment(ReproduceConfig config, BaseModel base, String command, int threads, ExperimentLog log) {
        this.config = config;
        this.base = base;
        this.command = command;
        this.threads = threads;
        this.log = log;
    }

    /** What a run produced: the table and the report that holds it. */
    public record Outcome(ResultsTable table, String report, Path reportFile, double seconds) {}

    public Outcome run(long firstSeed, int seeds, Path out) {
        if (seeds < 1) {
            throw new LoraflowException("--seeds must be at least 1, got " + seeds);
        }
        requireEmpty(out);
        ResultsTable table = new ResultsTable();
        for (int i = 0; i < seeds; i++) {
            long seed = firstSeed + i;
            log.line(String.format(Locale.ROOT, "=== seed %d (%d of %d) ===", seed, i + 1, seeds));
            table.add(seed, new SeedRun(config, base, threads, log).run(seed, out.resolve("seed-" + seed)));
        }
        double seconds = log.elapsedSeconds();
        String report = report(table, firstSeed, seeds, seconds);
        Path file = out.resolve("results.md");
        AtomicFiles.writeString(file, report);
        log.line(String.format(Locale.ROOT, "done in %.0f s; wrote %s", seconds, file));
        return new Outcome(table, report, file, seconds);
    }

    private static void requireEmpty(Path out) {
        if (!Files.exists(out)) {
            return;
        }
        try (Stream<Path> entries = Files.list(out)) {
            if (entries.findAny().isPresent()) {
                throw new LoraflowException(out + " is not empty; choose a new --out directory or delete it");
            }
        } catch (IOException e) {
            throw new LoraflowException("cannot read " + out + ": " + e.getMessage(), e);
        }
    }

    private String report(ResultsTable table, long firstSeed, int seeds, double seconds) {
        var s = config.sizes();
        return String.format(Locale.ROOT, """
                # %s

                Target: addition word problems in a made-up language (exact final number, greedy decoding),
                %d held-out problems per seed. Gate trained on %d target problems (dev set %d).
                Base model: %s.
                Seeds %s; mean ± sample standard deviation over seeds; %.0f s in all on %d threads.
                Command: `%s --seed %d --seeds %d`

                %s""", title(), s.targetTest(), s.targetTrain(), s.targetDev(), baseDescription(),
                String.join(", ", table.seeds().stream().map(String::valueOf).toList()), seconds, threads,
                command, firstSeed, seeds, table.markdown());
    }

    private String title() {
        return switch (base) {
            case BaseModel.TrainedHere here -> "LoRA-Flow in miniature";
            case BaseModel.Pretrained p -> "LoRA-Flow's miniature experiment on " + p.name();
        };
    }

    private String baseDescription() {
        return switch (base) {
            case BaseModel.TrainedHere here -> String.format(Locale.ROOT,
                    "%d layers, hidden %d, trained from random weights on base-language text only",
                    config.layers(), config.hidden());
            case BaseModel.Pretrained p -> String.format(Locale.ROOT,
                    "%s as is (%d layers, hidden %d, %d-token vocabulary), with its own tokenizer; made-up words are"
                            + " pairs of its vocabulary pieces", p.name(), p.config().numLayers(),
                    p.config().hiddenSize(), p.config().vocabSize());
        };
    }
}
