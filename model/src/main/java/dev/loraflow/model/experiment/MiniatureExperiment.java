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
    private final int threads;
    private final ExperimentLog log;

    public MiniatureExperiment(ReproduceConfig config, int threads, ExperimentLog log) {
        this.config = config;
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
            table.add(seed, new SeedRun(config, threads, log).run(seed, out.resolve("seed-" + seed)));
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
                # LoRA-Flow in miniature

                Target: addition word problems in a made-up language (exact final number, greedy decoding),
                %d held-out problems per seed. Gate trained on %d target problems (dev set %d).
                Base model: %d layers, hidden %d, trained from random weights on base-language text only.
                Seeds %s; mean ± sample standard deviation over seeds; %.0f s in all on %d threads.
                Command: `loraflow reproduce --seed %d --seeds %d`

                %s""", s.targetTest(), s.targetTrain(), s.targetDev(), config.layers(), config.hidden(),
                String.join(", ", table.seeds().stream().map(String::valueOf).toList()), seconds, threads, firstSeed,
                seeds, table.markdown());
    }
}
