package dev.loraflow.model.tools;

import dev.loraflow.core.LoraflowException;
import dev.loraflow.core.config.LlamaConfig;
import dev.loraflow.kernels.ThreadPool;
import dev.loraflow.model.generate.Sampler;
import dev.loraflow.model.generate.SamplingParams;
import dev.loraflow.model.llama.InferenceSession;
import dev.loraflow.model.llama.LlamaModel;
import dev.loraflow.model.lora.AdapterStack;
import dev.loraflow.model.lora.Fusion;
import dev.loraflow.model.lora.LoraAdapter;
import dev.loraflow.model.lora.LoraFlowGate;
import dev.loraflow.model.lora.LoraMerge;
import dev.loraflow.model.lora.StaticWeights;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * Decode speed of the base model against the same model with random adapters fused three ways, measured in one
 * process so that memory-bandwidth drift (up to 2x minute to minute on a shared VM) hits every variant alike:
 * <ul>
 *   <li>{@code base}: the model alone;</li>
 *   <li>{@code static}: the adapters on every projection with weights 1/K;</li>
 *   <li>{@code gate}: the same adapters weighted per token by a random LoRA-Flow gate;</li>
 *   <li>{@code merged}: the static deltas baked into the weights by {@link LoraMerge} (in the file's dtype),
 *       written to a temporary directory that is deleted afterwards.</li>
 * </ul>
 * After an untimed prefill and warm-up rounds, each timed round lets every variant decode a few greedy tokens in
 * turn, in a new random order each round; a round's ratio variant/base is then a paired comparison taken
 * seconds apart. The KV caches hold exactly prompt + warm-up + timed tokens.
 */
public final class FusionComparison {
    /** The variants in report order; base first, as the ratios' denominator. */
    public static final List<String> VARIANTS = List.of("base", "static", "gate", "merged");
    /** The same seeds as {@code bench --random-adapters}, so both measure the same adapters and gate. */
    static final long ADAPTER_SEED = 1;
    static final long GATE_SEED = 2;
    private static final long PROMPT_SEED = 42;
    private static final long ORDER_SEED = 7;

    private final int promptTokens;
    private final int rounds;
    private final int tokensPerRound;
    private final int warmupRounds;
    private final int threads;
    private final int adapterCount;
    private final int rank;

    public FusionComparison(int promptTokens, int rounds, int tokensPerRound, int warmupRounds, int threads,
                            int adapterCount, int rank) {
        if (promptTokens < 1 || rounds < 1 || tokensPerRound < 1 || warmupRounds < 0 || adapterCount < 1 || rank < 1) {
            throw new IllegalArgumentException("prompt tokens, rounds, tokens per round, adapters and rank must be >= 1"
                    + " and warm-up rounds >= 0");
        }
        this.promptTokens = promptTokens;
        this.rounds = rounds;
        this.tokensPerRound = tokensPerRound;
        this.warmupRounds = warmupRounds;
        this.threads = threads;
        this.adapterCount = adapterCount;
        this.rank = rank;
    }

    /** Tokens each session holds at the end: the KV cache size. */
    public int contextLength() {
        return promptTokens + (warmupRounds + rounds) * tokensPerRound;
    }

    /** Runs with the merged model in a new directory under the system temp directory. */
    public FusionComparisonResult run(Path modelDir) {
        return run(modelDir, null);
    }

    /** @param tempParent where the temporary merged model goes (null: the system temp directory) */
    public FusionComparisonResult run(Path modelDir, Path tempParent) {
        LlamaConfig config = LlamaConfig.load(modelDir);
        if (contextLength() > config.maxPositionEmbeddings()) {
            throw new LoraflowException("prompt + (warm-up + timed rounds) x tokens per round = " + contextLength()
                    + " exceeds the model's max_position_embeddings " + config.maxPositionEmbeddings());
        }
        List<LoraAdapter> adapters = RandomAdapters.create(config, adapterCount, rank, ADAPTER_SEED);
        StaticWeights average = StaticWeights.average(config.numLayers(), adapterCount);
        Path tempDir = createTempDir(tempParent);
        // a 2 GB merged copy must not outlive an interrupted run (Ctrl-C skips finally blocks, not shutdown hooks)
        Thread cleanup = new Thread(() -> deleteQuietly(tempDir));
        Runtime.getRuntime().addShutdownHook(cleanup);
        try (ThreadPool pool = new ThreadPool(threads)) {
            CpuClock cpu = new CpuClock(pool);
            long m0 = System.nanoTime();
            Path mergedDir = tempDir.resolve("merged");
            LoraMerge.merge(modelDir, adapters, average, mergedDir, pool);
            long mergeNanos = System.nanoTime() - m0;
            try (LlamaModel base = LlamaModel.load(modelDir); LlamaModel merged = LlamaModel.load(mergedDir)) {
                AdapterStack stack = AdapterStack.of(adapters, config);
                var gate = LoraFlowGate.random(stack.names(), config.numLayers(), config.hiddenSize(), 0.02f, GATE_SEED);
                int ctx = contextLength();
                List<Runner> runners = List.of(
                        new Runner(new InferenceSession(base, ctx, pool)),
                        new Runner(new InferenceSession(base, ctx, pool, new Fusion(stack, average))),
                        new Runner(new InferenceSession(base, ctx, pool, new Fusion(stack, gate))),
                        new Runner(new InferenceSession(merged, ctx, pool)));
                return measure(runners, config, mergeNanos, cpu);
            }
        } finally {
            Runtime.getRuntime().removeShutdownHook(cleanup);
            deleteRecursively(tempDir);
        }
    }

    private FusionComparisonResult measure(List<Runner> runners, LlamaConfig config, long mergeNanos, CpuClock cpu) {
        int v = runners.size();
        int[] prompt = new SplittableRandom(PROMPT_SEED).ints(promptTokens, 0, config.vocabSize()).toArray();
        for (Runner r : runners) { // untimed: compiles the prefill path of every variant
            r.session.forward(prompt, 0, promptTokens);
            r.session.reset();
        }
        long[] prefillNanos = new long[v];
        float[][] promptLogits = new float[v][];
        for (int i = 0; i < v; i++) {
            Runner r = runners.get(i);
            long t0 = System.nanoTime();
            r.logits = r.session.forward(prompt, 0, promptTokens);
            prefillNanos[i] = System.nanoTime() - t0;
            promptLogits[i] = r.logits.clone();
        }
        long[][] roundNanos = new long[v][rounds];
        long[][] roundCpuNanos = new long[v][rounds];
        SplittableRandom shuffle = new SplittableRandom(ORDER_SEED);
        int[] order = new int[v];
        for (int round = -warmupRounds; round < rounds; round++) {
            shuffle(order, shuffle);
            for (int j = 0; j < v; j++) {
                int i = order[j];
                long c0 = cpu.nanos();
                long nanos = runners.get(i).decode(tokensPerRound);
                long c1 = cpu.nanos();
                if (round >= 0) {
                    roundNanos[i][round] = nanos;
                    roundCpuNanos[i][round] = c0 < 0 || c1 < 0 ? -1 : c1 - c0;
                }
            }
        }
        List<FusionComparisonResult.Variant> variants = new ArrayList<>();
        for (int i = 0; i < v; i++) {
            variants.add(new FusionComparisonResult.Variant(VARIANTS.get(i), prefillNanos[i], roundNanos[i],
                    cpu.supported() ? roundCpuNanos[i] : null));
        }
        Runner staticRunner = runners.get(1);
        Runner mergedRunner = runners.get(3);
        return new FusionComparisonResult(promptTokens, rounds, tokensPerRound, warmupRounds, threads, adapterCount, rank,
                mergeNanos, variants,
                maxAbsDiff(promptLogits[3], promptLogits[1]), maxAbsDiff(promptLogits[0], promptLogits[1]),
                leadingAgreement(mergedRunner.tokens, staticRunner.tokens), staticRunner.tokens.length);
    }

    /** One variant's session, decoding greedily from where it stopped. */
    private final class Runner {
        final InferenceSession session;
        final Sampler greedy;
        final int[] tokens = new int[(warmupRounds + rounds) * tokensPerRound];
        final int[] one = new int[1];
        float[] logits;
        int produced;

        Runner(InferenceSession session) {
            this.session = session;
            this.greedy = new Sampler(SamplingParams.greedy(tokens.length), session.model().config().vocabSize());
        }

        /** Decodes {@code steps} tokens (sampling included, as in generation) and returns the elapsed nanoseconds. */
        long decode(int steps) {
            long t0 = System.nanoTime();
            for (int s = 0; s < steps; s++) {
                one[0] = greedy.sample(logits);
                tokens[produced++] = one[0];
                logits = session.forward(one, 0, 1);
            }
            return System.nanoTime() - t0;
        }
    }

    /**
     * A fresh random order each round. Rotating a fixed order would not do: every variant would nearly always run
     * right after the same other one, so whatever one variant leaves behind (caches, scheduler state) would always
     * land on the same next one.
     */
    static void shuffle(int[] order, SplittableRandom random) {
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        for (int i = order.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
    }

    static double maxAbsDiff(float[] a, float[] b) {
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs(a[i] - b[i]));
        }
        return max;
    }

    /** How many leading tokens two greedy continuations share (they cannot re-converge meaningfully after). */
    static int leadingAgreement(int[] a, int[] b) {
        int n = 0;
        while (n < a.length && n < b.length && a[n] == b[n]) {
            n++;
        }
        return n;
    }

    private static Path createTempDir(Path parent) {
        try {
            return parent == null ? Files.createTempDirectory("loraflow-fusion-")
                    : Files.createTempDirectory(parent, "loraflow-fusion-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary directory for the merged model", e);
        }
    }

    private static void deleteQuietly(Path dir) {
        try {
            deleteRecursively(dir);
        } catch (UncheckedIOException e) {
            // at exit: nothing more can be done
        }
    }

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete the temporary merged model in " + dir, e);
        }
    }
}
