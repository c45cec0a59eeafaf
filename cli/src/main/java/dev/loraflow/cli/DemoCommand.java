package dev.loraflow.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loraflow.core.LoraflowException;
import dev.loraflow.model.Completion;
import dev.loraflow.model.LanguageModel;
import dev.loraflow.model.generate.SamplingParams;
import dev.loraflow.model.lora.AdapterStack;
import dev.loraflow.model.lora.Fusion;
import dev.loraflow.model.lora.LoraAdapter;
import dev.loraflow.model.lora.LoraFlowGate;
import dev.loraflow.model.lora.WeightTrace;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "LoRA-Flow in seconds, with no download: the miniature experiment's base model, language and task"
                + " adapters and trained gate (shipped in the jar) solve a word problem in a made-up language; prints"
                + " each token's fusion weights and the experiment's results table.")
final class DemoCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    CommonOptions common;

    @Mixin
    LoadOptions load;

    @Option(names = "--max-tokens", defaultValue = "16", description = "Most tokens to generate (default ${DEFAULT-VALUE}).")
    int maxTokens;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        try (DemoArtefacts demo = DemoArtefacts.extract();
             LanguageModel lm = load.open(demo.base(), common)) {
            List<LoraAdapter> adapters = DemoArtefacts.ADAPTERS.stream()
                    .map(name -> LoraAdapter.load(name, demo.adapter(name), lm.config())).toList();
            AdapterStack stack = AdapterStack.of(adapters, lm.config());
            LoraFlowGate gate = LoraFlowGate.load(demo.file(DemoArtefacts.GATE), stack.names(), lm.config().numLayers(),
                    lm.config().hiddenSize());
            JsonNode problem = new ObjectMapper().readTree(demo.file(DemoArtefacts.PROBLEM).toFile());
            String prompt = text(problem, "prompt");
            out.println("A word problem in the made-up language (the base model was trained on the base language only):");
            out.println("  prompt:    " + prompt);
            out.println("  reference: " + text(problem, "response") + "   (in the base language: " + text(problem, "base") + ")");
            out.print("  LoRA-Flow: ");
            WeightTrace trace = new WeightTrace(lm.config().numLayers());
            int[] promptIds = lm.encodePrompt(prompt);
            Completion c = lm.complete(promptIds, SamplingParams.greedy(maxTokens), new Fusion(stack, gate), trace,
                    piece -> out.print(piece));
            out.println();
            out.println();
            out.println("Fusion weights per token, averaged over layers (lang = made-up language adapter, task = arithmetic adapter):");
            int[] fed = new int[promptIds.length + c.ids().length];
            System.arraycopy(promptIds, 0, fed, 0, promptIds.length);
            System.arraycopy(c.ids(), 0, fed, promptIds.length, c.ids().length);
            new WeightReport(stack.names(), fed, trace, lm.tokenizer()).printTable(out);
            out.println();
            out.print(Files.readString(demo.file(DemoArtefacts.RESULTS)));
            out.flush();
        }
        return 0;
    }

    private static String text(JsonNode problem, String field) {
        JsonNode value = problem.get(field);
        if (value == null || !value.isTextual()) {
            throw new LoraflowException("the demo's problem.json has no \"" + field + "\"");
        }
        return value.asText();
    }
}
