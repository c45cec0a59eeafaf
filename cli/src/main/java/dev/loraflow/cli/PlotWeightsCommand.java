package dev.loraflow.cli;

import dev.loraflow.core.io.AtomicFiles;
import dev.loraflow.model.eval.TraceFile;
import dev.loraflow.model.eval.WeightHeatmap;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "plot-weights", mixinStandardHelpOptions = true,
        description = "Draw a generate --weights-out file as a self-contained HTML heatmap (tokens across, layers down).")
final class PlotWeightsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE.json", description = "Per-token weights written by generate --weights-out.")
    Path input;

    @Option(names = "--out", required = true, paramLabel = "weights.html", description = "The HTML page to write.")
    Path out;

    @Option(names = "--title", description = "Page title (default: the input file name).")
    String title;

    @Option(names = "--verbose", description = "Print stack traces on errors.")
    boolean verbose;

    @Override
    public Integer call() {
        TraceFile trace = TraceFile.read(input);
        String html = new WeightHeatmap(trace).html(title != null ? title : "Fusion weights: " + input.getFileName());
        AtomicFiles.writeString(out, html);
        spec.commandLine().getOut().printf("wrote %s (%d tokens x %d layers, adapters %s)%n", out, trace.tokens().size(),
                trace.layers(), trace.adapters());
        spec.commandLine().getOut().flush();
        return 0;
    }
}
