package dev.loraflow.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loraflow.core.config.LlamaConfig;
import dev.loraflow.model.tools.BenchResult;
import dev.loraflow.model.tools.Benchmark;
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

    @Option(names = "--model", required = true, description = "HuggingFace model directory (config.json, *.safetensors); no tokenizer needed.")
    Path model;

    @Option(names = "--prompt-tokens", defaultValue = "128", description = "Prompt length fed as one prefill (default ${DEFAULT-VALUE}).")
    int promptTokens;

    @Option(names = "--gen-tokens", defaultValue = "64", description = "Decode steps timed after the prefill (default ${DEFAULT-VALUE}).")
    int genTokens;

    @Option(names = "--json", description = "Print one JSON line instead of a table.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        int threads = common.threads();
        checkCounts(LlamaConfig.load(model)); // before mapping the weights, so a bad flag fails at once
        BenchResult r = new Benchmark(promptTokens, genTokens, threads).run(model);
        PrintWriter out = spec.commandLine().getOut();
        out.println(json ? toJson(r) : toTable(r));
        out.flush();
        return 0;
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
        n.put("dtype", r.dtype().name().toLowerCase(Locale.ROOT));
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
