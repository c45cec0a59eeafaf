package dev.loraflow.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loraflow.model.tools.TrainingBenchmark;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "bench-train", mixinStandardHelpOptions = true,
        description = "Time gate training (forward + backward, gates only trainable, random adapters) on random tokens.")
final class BenchTrainCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    CommonOptions common;

    @Option(names = "--model", required = true, description = "HuggingFace model directory (no tokenizer needed).")
    Path model;

    @Option(names = "--batch", description = "Sequences per step (default ${DEFAULT-VALUE}).")
    int batch = 4;

    @Option(names = "--seq-len", description = "Tokens per sequence (default ${DEFAULT-VALUE}).")
    int seqLen = 128;

    @Option(names = "--adapters", description = "Random adapters on all seven projections (default ${DEFAULT-VALUE}).")
    int adapters = 2;

    @Option(names = "--adapter-rank", description = "Their rank (default ${DEFAULT-VALUE}).")
    int rank = 16;

    @Option(names = "--reps", description = "Timed repetitions after one warm-up (default ${DEFAULT-VALUE}).")
    int reps = 5;

    @Option(names = "--recompute", description = "Recompute each layer's activations during backward.")
    boolean recompute;

    @Option(names = "--json", description = "One JSON line.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if (batch < 1 || seqLen < 2 || adapters < 1 || rank < 1 || reps < 1) {
            throw new IllegalArgumentException("--batch, --adapters, --adapter-rank and --reps must be at least 1, --seq-len at least 2");
        }
        var r = new TrainingBenchmark(batch, seqLen, adapters, rank, reps, recompute).run(model, common.threads());
        PrintWriter out = spec.commandLine().getOut();
        String peak = r.peakRssBytes().isPresent()
                ? String.format(Locale.ROOT, "%.1f", r.peakRssBytes().getAsLong() / 1048576.0) : "null";
        if (json) {
            var node = new ObjectMapper().createObjectNode();
            node.put("train_tok_s_best", r.bestTokensPerSecond());
            node.put("train_tok_s_median", r.medianTokensPerSecond());
            node.put("fwd_bwd_s_best", r.bestSeconds());
            node.put("process_cpu_s_median", r.medianCpuSeconds());
            node.put("trainable_params", r.trainableParameters());
            node.put("batch", batch);
            node.put("seq_len", seqLen);
            node.put("recompute", recompute);
            node.put("threads", common.threads());
            node.put("peak_rss_mb", r.peakRssBytes().isPresent() ? r.peakRssBytes().getAsLong() / 1048576.0 : null);
            out.println(node);
        } else {
            out.printf(Locale.ROOT, "train fwd+bwd B=%d,T=%d (gate-only, %d params%s): best %.3f s = %.1f tok/s, median %.1f tok/s, peak RSS %s MiB%n",
                    batch, seqLen, r.trainableParameters(), recompute ? ", recompute" : "", r.bestSeconds(),
                    r.bestTokensPerSecond(), r.medianTokensPerSecond(), peak);
        }
        out.flush();
        return 0;
    }
}
