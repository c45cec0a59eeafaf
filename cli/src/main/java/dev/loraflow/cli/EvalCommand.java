package dev.loraflow.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loraflow.core.io.AtomicFiles;
import dev.loraflow.model.LanguageModel;
import dev.loraflow.model.data.Dataset;
import dev.loraflow.model.data.ExampleEncoder;
import dev.loraflow.model.eval.EvalSummary;
import dev.loraflow.model.eval.Evaluator;
import dev.loraflow.model.eval.ExampleResult;
import dev.loraflow.model.eval.Metric;
import dev.loraflow.model.lora.Fusion;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Score a fusion on a JSON Lines data set: accuracy by greedy generation, loss and perplexity on the responses.")
final class EvalCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    CommonOptions common;

    @Mixin
    LoadOptions load;

    @Mixin
    FusionOptions fusionOptions;

    @Option(names = "--model", required = true, description = "HuggingFace model directory.")
    Path model;

    @Option(names = "--data", required = true, paramLabel = "FILE.jsonl",
            description = "One {\"prompt\", \"response\"} or {\"text\"} object a line.")
    Path data;

    @Option(names = "--metric", required = true, paramLabel = "exact-number|exact|loss",
            description = "exact-number: final numbers agree; exact: trimmed texts agree; loss: no generation.")
    String metric;

    @Option(names = "--max-tokens", defaultValue = "256", description = "Most tokens to generate per example (default ${DEFAULT-VALUE}).")
    int maxTokens;

    @Option(names = "--out", paramLabel = "results.jsonl", description = "Write one JSON record per example.")
    Path out;

    @Override
    public Integer call() {
        Metric m = Metric.parse(metric);
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try (LanguageModel lm = load.open(model, common)) {
            Fusion fusion = fusionOptions.build(lm);
            Evaluator evaluator = new Evaluator(lm, fusion, m, maxTokens);
            Dataset dataset = Dataset.load(data, ExampleEncoder.forModel(lm, lm.config().maxPositionEmbeddings()));
            Evaluator.checkScorable(data, dataset.examples(), m);
            if (!dataset.truncatedLines().isEmpty()) {
                err.println("warning: " + dataset.truncatedLines().size() + " example(s) cut to "
                        + lm.config().maxPositionEmbeddings() + " tokens, lines " + dataset.truncatedLines());
            }
            List<ExampleResult> results = new ArrayList<>();
            try (Progress progress = Progress.start("eval", dataset.size(), "examples", err)) {
                dataset.examples().forEach(e -> {
                    results.add(evaluator.evaluate(e));
                    progress.step();
                });
            }
            if (out != null) {
                writeRecords(out, results);
            }
            printSummary(stdout, EvalSummary.of(results), m);
        }
        return 0;
    }

    private static void printSummary(PrintWriter out, EvalSummary s, Metric metric) {
        out.printf(Locale.ROOT, "examples    %d%n", s.examples());
        if (metric.generates()) {
            out.printf(Locale.ROOT, "accuracy    %.4f (%d of %d, --metric %s)%n", s.accuracy(), s.correct(), s.scored(), metric.flag());
        }
        out.printf(Locale.ROOT, "mean loss   %.6f nats/token over %d tokens%n", s.loss().mean(), s.loss().tokens());
        out.printf(Locale.ROOT, "perplexity  %.4f%n", s.loss().perplexity());
        out.flush();
    }

    private static void writeRecords(Path file, List<ExampleResult> results) {
        ObjectMapper mapper = new ObjectMapper();
        StringBuilder lines = new StringBuilder();
        for (ExampleResult r : results) {
            ObjectNode node = mapper.createObjectNode();
            node.put("line", r.line());
            node.put("tokens", r.loss().tokens());
            node.put("nll", r.loss().nll());
            if (r.loss().tokens() > 0) {
                node.put("loss", r.loss().mean());
            } else {
                node.putNull("loss");
            }
            node.put("truncated", r.truncated());
            if (r.correct() != null) {
                node.put("generated", r.generated());
                node.put("extracted", r.extracted());
                node.put("expected", r.expected());
                node.put("correct", r.correct());
            }
            lines.append(node).append('\n');
        }
        AtomicFiles.write(file, o -> o.write(lines.toString().getBytes(StandardCharsets.UTF_8)));
    }
}
