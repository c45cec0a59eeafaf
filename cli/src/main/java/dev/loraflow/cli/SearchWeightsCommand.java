package dev.loraflow.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loraflow.core.LoraflowException;
import dev.loraflow.core.io.AtomicFiles;
import dev.loraflow.model.LanguageModel;
import dev.loraflow.model.data.Dataset;
import dev.loraflow.model.data.ExampleEncoder;
import dev.loraflow.model.eval.LoraHubSearch;
import dev.loraflow.model.eval.ResponseLoss;
import dev.loraflow.model.lora.AdapterStack;
import dev.loraflow.model.lora.Fusion;
import dev.loraflow.model.lora.StaticWeights;
import java.io.PrintWriter;
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

@Command(name = "search-weights", mixinStandardHelpOptions = true,
        description = "The LoRA-Hub baseline: search one weight per adapter without gradients, minimising the response"
                + " loss on a few examples + 0.05·mean|w| (w in [-1.5, 1.5], from 0). Writes a --weights JSON file.")
final class SearchWeightsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    CommonOptions common;

    @Mixin
    LoadOptions load;

    @Option(names = "--model", required = true, description = "HuggingFace model directory.")
    Path model;

    @Option(names = "--lora", required = true, paramLabel = "NAME=DIR",
            description = "A PEFT LoRA adapter directory, optionally named (repeatable).")
    List<String> loras = new ArrayList<>();

    @Option(names = "--data", required = true, paramLabel = "FILE.jsonl", description = "The few examples the loss is measured on.")
    Path data;

    @Option(names = "--out", required = true, paramLabel = "weights.json", description = "Where to write {name: weight}.")
    Path out;

    @Option(names = "--budget", defaultValue = "40", description = "Loss evaluations to spend (default ${DEFAULT-VALUE}).")
    int budget;

    @Override
    public Integer call() {
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        FusionOptions adapterFlags = new FusionOptions();
        adapterFlags.loras = loras;
        try (LanguageModel lm = load.open(model, common)) {
            AdapterStack stack = AdapterStack.of(lm.loadAdapters(adapterFlags.adapterDirs()), lm.config());
            Dataset dataset = Dataset.load(data, ExampleEncoder.forModel(lm, lm.config().maxPositionEmbeddings()));
            if (dataset.examples().stream().allMatch(e -> e.targetCount() == 0)) {
                throw new LoraflowException(data + ": no example has a token to measure the loss on");
            }
            ResponseLoss responseLoss = new ResponseLoss(lm);
            int layers = lm.config().numLayers();
            List<String> names = stack.names();
            LoraHubSearch search = new LoraHubSearch(
                    w -> responseLoss.total(dataset.examples(), new Fusion(stack, StaticWeights.uniform(layers, floats(w)))).mean(),
                    names.size(), budget, (n, w, loss, objective) -> {
                        err.printf(Locale.ROOT, "eval %3d/%d  %s  loss %.6f  objective %.6f%n", n, budget, describe(names, w), loss, objective);
                        err.flush();
                    });
            LoraHubSearch.Result best = search.run();
            writeWeights(out, names, best.weights());
            stdout.printf(Locale.ROOT, "best  %s  loss %.6f  objective %.6f (at 0: %.6f) after %d evaluations%n",
                    describe(names, best.weights()), best.loss(), best.objective(), best.startObjective(), best.evaluations());
            stdout.println("wrote " + out);
            stdout.flush();
        }
        return 0;
    }

    private static float[] floats(double[] w) {
        float[] f = new float[w.length];
        for (int i = 0; i < w.length; i++) {
            f[i] = (float) w[i];
        }
        return f;
    }

    private static String describe(List<String> names, double[] w) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < w.length; i++) {
            s.append(i == 0 ? "" : " ").append(String.format(Locale.ROOT, "%s=%+.4f", names.get(i), w[i]));
        }
        return s.toString();
    }

    /** {"name": w, ...}, the format --weights FILE.json reads; the float values the search evaluated. */
    private static void writeWeights(Path file, List<String> names, double[] w) {
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode root = mapper.createObjectNode();
        for (int i = 0; i < w.length; i++) {
            root.put(names.get(i), (float) w[i]);
        }
        AtomicFiles.writeString(file, root.toPrettyString() + "\n");
    }
}
