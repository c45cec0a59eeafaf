package dev.loraflow.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loraflow.core.config.LlamaConfig;
import dev.loraflow.model.tools.BenchResult;
import dev.loraflow.model.tools.Benchmark;
import dev.loraflow.model.tools.FusionComparison;
import dev.loraflow.model.tools.FusionComparisonResult;
import dev.loraflow.model.tools.LoadAverage;
import dev.loraflow.model.tools.RandomAdapters;
import dev.loraflow.model.llama.LlamaModel;
import dev.loraflow.model.llama.WeightFormat;
import dev.loraflow.model.lora.AdapterStack;
import dev.loraflow.model.lora.Fusion;
import dev.loraflow.model.lora.FusionPolicy;
import dev.loraflow.model.lora.LoraAdapter;
import dev.loraflow.model.lora.LoraFlowGate;
import dev.loraflow.model.lora.StaticWeights;
import java.util.function.Function;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Time loading, prefill and decode of a model on random prompt ids; report speed, bandwidth and memory.")
final class BenchCommand implements Callable<Integer> {
    private static final double MIB = 1024.0 * 1024.0;

    @Spec
    CommandSpec spec;

    @Mixin
    CommonOptions common;

    @Mixin
    LoadOptions load;

    @Option(names = "--model", required = true, description = "HuggingFace model directory (config.json, *.safetensors); no tokenizer needed.")
    Path model;

    @Option(names = "--prompt-tokens", defaultValue = "128", description = "Prompt length fed as one prefill (default ${DEFAULT-VALUE}).")
    int promptTokens;

    @Option(names = "--gen-tokens", defaultValue = "64", description = "Decode steps timed after the prefill (default ${DEFAULT-VALUE}).")
    int genTokens;

    @Option(names = "--json", description = "Print one JSON line instead of a table.")
    boolean json;

    @Mixin
    FusionOptions fusionOptions;

    @Option(names = "--random-adapters", paramLabel = "K",
            description = "Fuse K random adapters on all seven projections (instead of --lora), to measure fusion overhead.")
    int randomAdapters;

    @Option(names = "--adapter-rank", description = "Rank of the random adapters (default ${DEFAULT-VALUE}).")
    int adapterRank = 16;

    @Option(names = "--quantize", paramLabel = "q8_0", description = "Quantise the layer matrices at load (q8_0).")
    String quantize;

    @Option(names = "--random-gate", description = "Weight the random adapters with a random LoRA-Flow gate (else static weights 1/K).")
    boolean randomGate;

    @Option(names = "--compare-fusion",
            description = "With --random-adapters: time base, static (1/K), gate and merged decoding in one process,"
                    + " interleaved round by round, and report each variant's speed and its per-round ratio to base.")
    boolean compareFusion;

    @Option(names = "--rounds", defaultValue = "30", description = "--compare-fusion: timed rounds (default ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--tokens-per-round", defaultValue = "8",
            description = "--compare-fusion: tokens each variant decodes per round (default ${DEFAULT-VALUE}).")
    int tokensPerRound;

    @Option(names = "--warmup-rounds", defaultValue = "4",
            description = "--compare-fusion: untimed rounds before timing (default ${DEFAULT-VALUE}).")
    int warmupRounds;

    @Override
    public Integer call() throws Exception {
        int threads = common.threads();
        if (compareFusion) {
            return compareFusion(threads);
        }
        for (String flag : new String[] {"--rounds", "--tokens-per-round", "--warmup-rounds"}) {
            if (spec.commandLine().getParseResult().hasMatchedOption(flag)) {
                throw new IllegalArgumentException(flag + " needs --compare-fusion");
            }
        }
        checkCounts(LlamaConfig.load(model)); // before loading the weights, so a bad flag fails at once
        WeightFormat format = WeightFormat.quantizationOf(quantize);
        BenchResult r;
        try (LoadOptions.LoadProgress progress = load.progress(model, format)) {
            r = new Benchmark(promptTokens, genTokens, threads, fusion(), format, load.residency())
                    .run(model, progress, progress::close); // the bar is gone before anything is timed
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println(json ? toJson(r) : toTable(r));
        out.flush();
        return 0;
    }

    private int compareFusion(int threads) throws Exception {
        if (randomAdapters < 1) {
            throw new IllegalArgumentException("--compare-fusion needs --random-adapters K (K >= 1)");
        }
        if (!fusionOptions.loras.isEmpty() || quantize != null || randomGate || load.mmap) {
            throw new IllegalArgumentException("--compare-fusion builds its own variants, base and merged read into memory"
                    + " alike; drop " + (!fusionOptions.loras.isEmpty() ? "--lora" : quantize != null ? "--quantize"
                    : randomGate ? "--random-gate" : "--mmap"));
        }
        if (spec.commandLine().getParseResult().hasMatchedOption("--gen-tokens")) {
            throw new IllegalArgumentException("--compare-fusion decodes --rounds x --tokens-per-round tokens; drop --gen-tokens");
        }
        if (rounds < 1 || tokensPerRound < 1 || warmupRounds < 0 || adapterRank < 1) {
            throw new IllegalArgumentException("--rounds and --tokens-per-round must be >= 1, --warmup-rounds >= 0 and"
                    + " --adapter-rank >= 1, got " + rounds + ", " + tokensPerRound + ", " + warmupRounds + ", " + adapterRank);
        }
        if (promptTokens < 1) {
            throw new IllegalArgumentException("--prompt-tokens must be at least 1, got " + promptTokens);
        }
        var comparison = new FusionComparison(promptTokens, rounds, tokensPerRound, warmupRounds, threads, randomAdapters, adapterRank);
        int max = LlamaConfig.load(model).maxPositionEmbeddings();
        if (comparison.contextLength() > max) {
            throw new IllegalArgumentException("--prompt-tokens + (--warmup-rounds + --rounds) x --tokens-per-round = "
                    + comparison.contextLength() + " exceeds the model's max_position_embeddings " + max);
        }
        String loadBefore = LoadAverage.read().orElse(null);
        FusionComparisonResult r = comparison.run(model);
        String loadAfter = LoadAverage.read().orElse(null);
        PrintWriter out = spec.commandLine().getOut();
        out.println(json ? FusionReport.json(r, loadBefore, loadAfter) : FusionReport.table(r, loadBefore, loadAfter));
        out.flush();
        return 0;
    }

    /** How adapters are fused during the benchmark, or null for the base model alone. */
    private Function<LlamaModel, Fusion> fusion() {
        if (randomAdapters < 0 || adapterRank < 1) {
            throw new IllegalArgumentException("--random-adapters must be >= 0 and --adapter-rank >= 1");
        }
        if (randomAdapters > 0 && !fusionOptions.loras.isEmpty()) {
            throw new IllegalArgumentException("--random-adapters and --lora exclude each other");
        }
        if (randomGate && randomAdapters == 0) {
            throw new IllegalArgumentException("--random-gate needs --random-adapters");
        }
        if (randomAdapters > 0) {
            return m -> {
                var config = m.config();
                AdapterStack stack = AdapterStack.of(RandomAdapters.create(config, randomAdapters, adapterRank, 1), config);
                FusionPolicy policy = randomGate
                        ? LoraFlowGate.random(stack.names(), config.numLayers(), config.hiddenSize(), 0.02f, 2)
                        : StaticWeights.average(config.numLayers(), randomAdapters);
                return new Fusion(stack, policy);
            };
        }
        if (fusionOptions.loras.isEmpty()) {
            return null;
        }
        return m -> {
            var adapters = new java.util.ArrayList<LoraAdapter>();
            fusionOptions.adapterDirs().forEach((name, dir) -> adapters.add(LoraAdapter.load(name, dir, m.config())));
            return fusionOptions.fusion(adapters, m.config());
        };
    }

    private void checkCounts(LlamaConfig config) {
        if (promptTokens < 1) {
            throw new IllegalArgumentException("--prompt-tokens must be at least 1, got " + promptTokens);
        }
        if (genTokens < 1) {
            throw new IllegalArgumentException("--gen-tokens must be at least 1, got " + genTokens);
        }
        int max = config.maxPositionEmbeddings();
        if (promptTokens > max) {
            throw new IllegalArgumentException("--prompt-tokens " + promptTokens
                    + " exceeds the model's max_position_embeddings " + max);
        }
        if (promptTokens + genTokens > max) {
            throw new IllegalArgumentException("--prompt-tokens " + promptTokens + " + --gen-tokens " + genTokens
                    + " exceeds the model's max_position_embeddings " + max);
        }
    }

    private static String toJson(BenchResult r) throws Exception {
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode n = mapper.createObjectNode();
        n.put("prefill_tok_s", r.prefillTokensPerSecond());
        n.put("decode_tok_s", r.decodeTokensPerSecond());
        n.put("decode_gb_s", r.decodeGigabytesPerSecond());
        putMib(n, "peak_rss_mb", r.peakRssBytes());
        putMib(n, "rss_after_load_mb", r.rssAfterLoadBytes());
        n.put("load_ms", r.loadNanos() / 1e6);
        n.put("weights_mb", r.weightBytes() / MIB);
        n.put("kv_cache_mb", r.kvCacheBytes() / MIB);
        n.put("threads", r.threads());
        n.put("dtype", r.dtype().label());
        return mapper.writeValueAsString(n);
    }

    /** Memory the OS did not report is null, never a made-up number. */
    private static void putMib(ObjectNode n, String field, OptionalLong bytes) {
        if (bytes.isPresent()) {
            n.put(field, bytes.getAsLong() / MIB);
        } else {
            n.putNull(field);
        }
    }

    private static String toTable(BenchResult r) {
        return String.join(System.lineSeparator(),
                String.format(Locale.ROOT, "load:        %.0f ms", r.loadNanos() / 1e6),
                String.format(Locale.ROOT, "prefill:     %d tokens, %.2f tok/s", r.promptTokens(), r.prefillTokensPerSecond()),
                String.format(Locale.ROOT, "decode:      %d tokens, %.2f tok/s, %.2f GB/s of weights (%.1f MiB per token)",
                        r.genTokens(), r.decodeTokensPerSecond(), r.decodeGigabytesPerSecond(), r.decodeBytesPerToken() / MIB),
                String.format(Locale.ROOT, "weights:     %.1f MiB %s", r.weightBytes() / MIB, r.dtype()),
                String.format(Locale.ROOT, "kv cache:    %.1f MiB", r.kvCacheBytes() / MIB),
                "rss:         " + mib(r.rssAfterLoadBytes()) + " after load, " + mib(r.peakRssBytes()) + " peak",
                "threads:     " + r.threads());
    }

    private static String mib(OptionalLong bytes) {
        return bytes.isPresent() ? String.format(Locale.ROOT, "%.1f MiB", bytes.getAsLong() / MIB) : "n/a";
    }
}
