package dev.loraflow.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loraflow.model.Completion;
import dev.loraflow.model.LanguageModel;
import dev.loraflow.model.generate.SamplingParams;
import dev.loraflow.model.llama.WeightFormat;
import dev.loraflow.model.lora.Fusion;
import dev.loraflow.model.lora.WeightTrace;
import java.io.PrintWriter;
import dev.loraflow.tokenizer.ChatMessage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "generate", mixinStandardHelpOptions = true,
        description = "Continue a prompt, streaming the text token by token.")
final class GenerateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    CommonOptions common;

    @Mixin
    LoadOptions load;

    @Mixin
    FusionOptions fusionOptions;

    @Option(names = "--show-weights", description = "After generating, print each token's fusion weights (layer-averaged).")
    boolean showWeights;

    @Option(names = "--weights-out", paramLabel = "FILE.json",
            description = "Write every token's fusion weights: {adapters, tokens, ids, weights[token][layer][adapter]}.")
    Path weightsOut;

    @Option(names = "--model", required = true, description = "HuggingFace model directory (config.json, *.safetensors, tokenizer.json).")
    Path model;

    @Option(names = "--prompt", defaultValue = "", description = "Prompt text; empty starts from BOS alone.")
    String prompt;

    @Option(names = "--chat", description = "Wrap the prompt as a user message in the model's chat template.")
    boolean chat;

    @Option(names = "--system", description = "A system message for --chat.")
    String system;

    @Option(names = "--max-tokens", defaultValue = "256", description = "Most tokens to generate (default ${DEFAULT-VALUE}).")
    int maxTokens;

    @Option(names = "--temperature", defaultValue = "0.8", description = "0 = greedy (default ${DEFAULT-VALUE}).")
    float temperature;

    @Option(names = "--top-k", defaultValue = "40", description = "Keep the k most likely tokens; 0 = off (default ${DEFAULT-VALUE}).")
    int topK;

    @Option(names = "--top-p", defaultValue = "0.95", description = "Nucleus sampling mass; 1 = off (default ${DEFAULT-VALUE}).")
    float topP;

    @Option(names = "--min-p", defaultValue = "0.05", description = "Drop tokens below min-p × the top probability; 0 = off (default ${DEFAULT-VALUE}).")
    float minP;

    @Option(names = "--repetition-penalty", defaultValue = "1.0", description = "HuggingFace-style penalty on seen tokens; 1 = off.")
    float repetitionPenalty;

    @Option(names = "--seed", description = "Random seed (same seed, same tokens); default: random.")
    Long seed;

    @Option(names = "--quantize", paramLabel = "q8_0", description = "Quantise the layer matrices at load (q8_0).")
    String quantize;

    @Option(names = "--json", description = "Print one JSON object {prompt_ids, ids, text} instead of streaming.")
    boolean json;

    private int[] promptIds(LanguageModel lm) {
        if (system != null && !chat) {
            throw new IllegalArgumentException("--system needs --chat");
        }
        if (!chat) {
            return lm.encodePrompt(prompt);
        }
        List<ChatMessage> messages = new ArrayList<>();
        if (system != null) {
            messages.add(new ChatMessage("system", system));
        }
        messages.add(new ChatMessage("user", prompt));
        return lm.encodeChat(messages);
    }

    @Override
    public Integer call() throws Exception {
        long actualSeed = seed != null ? seed : System.nanoTime();
        SamplingParams params = new SamplingParams(maxTokens, temperature, topK, topP, minP, repetitionPenalty, actualSeed);
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try (LanguageModel lm = load.open(model, common, WeightFormat.quantizationOf(quantize))) {
            Fusion fusion = fusionOptions.build(lm);
            boolean tracing = showWeights || weightsOut != null;
            if (tracing && fusion.adapters().size() == 0) {
                throw new IllegalArgumentException("--show-weights and --weights-out need at least one --lora adapter");
            }
            WeightTrace trace = tracing ? new WeightTrace(lm.config().numLayers()) : null;
            Completion c = lm.complete(promptIds(lm), params, fusion, trace, piece -> {
                if (!json) {
                    out.print(piece);
                    out.flush();
                }
            });
            if (json) {
                ObjectMapper mapper = new ObjectMapper();
                ObjectNode node = mapper.createObjectNode();
                node.putPOJO("prompt_ids", c.promptIds());
                node.putPOJO("ids", c.ids());
                node.put("text", c.text());
                node.put("seed", actualSeed);
                out.println(mapper.writeValueAsString(node));
            } else {
                out.println();
                err.printf("[prompt %d tokens, %.1f tok/s; generated %d tokens, %.1f tok/s]%n",
                        c.promptIds().length, c.prefillTokensPerSecond(), c.ids().length, c.decodeTokensPerSecond());
            }
            if (trace != null) {
                int[] fed = new int[c.promptIds().length + c.ids().length];
                System.arraycopy(c.promptIds(), 0, fed, 0, c.promptIds().length);
                System.arraycopy(c.ids(), 0, fed, c.promptIds().length, c.ids().length);
                WeightReport report = new WeightReport(fusion.adapters().names(), fed, trace, lm.tokenizer());
                if (showWeights) {
                    report.printTable(json ? err : out);
                }
                if (weightsOut != null) {
                    report.writeJson(weightsOut);
                }
            }
            out.flush();
        }
        return 0;
    }
}
