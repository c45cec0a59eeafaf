package dev.loraflow.model.tools;

import dev.loraflow.core.safetensors.Residency;
import dev.loraflow.kernels.ThreadPool;
import dev.loraflow.model.generate.Sampler;
import dev.loraflow.model.generate.SamplingParams;
import dev.loraflow.model.llama.InferenceSession;
import dev.loraflow.model.llama.LlamaModel;
import dev.loraflow.model.llama.WeightFormat;
import dev.loraflow.model.lora.Fusion;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.function.LongConsumer;

/**
 * Times a model directory: load, then a prefill of random prompt ids and greedy decode steps, after an untimed
 * warm-up of the same prompt length so the JIT has compiled the kernels. The KV cache holds exactly prompt +
 * generated tokens.
 */
public final class Benchmark {
    /** Prompt ids are random but fixed, so runs compare like with like. */
    private static final long PROMPT_SEED = 42;
    /**
     * Decode steps of the warm-up. Measured on stories110m: decode steps only settle after about 20 steps from a cold
     * JVM (C2 compiling the Vector API kernels), so fewer would leak JIT time into the timed decode. The warm-up's
     * prefill is the whole prompt, so the timed one measures the steady state (llama.cpp's llama-bench averages
     * repeated runs after its warm-up): C2 compiles the blocked attention of a prefill only once prompts that long
     * run, and with a 32-token warm-up that happened inside the timed prefill (tinyllama Q8_0, 128 tokens, alternating
     * runs of {@code bench}: 120-143 tok/s against 128-157, prefill/decode 4.8-5.8 against 5.1-6.5, medians 5.0 and 5.3).
     */
    private static final int WARMUP_DECODE = 32;

    private final int promptTokens;
    private final int genTokens;
    private final int threads;
    private final Function<LlamaModel, Fusion> fusion;
    private final WeightFormat quantize;
    private final Residency residency;

    /** Callers check the counts against the model (see {@link dev.loraflow.core.config.LlamaConfig#maxPositionEmbeddings}). */
    public Benchmark(int promptTokens, int genTokens, int threads) {
        this(promptTokens, genTokens, threads, null, null, Residency.IN_MEMORY);
    }

    /**
     * @param fusion    builds the adapters and their weighting once the model is loaded (null: the base model alone)
     * @param quantize  the format layer matrices are quantised to at load (null: the file's dtype)
     * @param residency how the file's weights are held when not quantised
     */
    public Benchmark(int promptTokens, int genTokens, int threads, Function<LlamaModel, Fusion> fusion, WeightFormat quantize,
                     Residency residency) {
        this.quantize = quantize;
        this.residency = residency;
        this.promptTokens = promptTokens;
        this.genTokens = genTokens;
        this.threads = threads;
        this.fusion = fusion;
    }

    public BenchResult run(Path modelDir) {
        return run(modelDir, bytes -> { }, () -> { });
    }

    /**
     * As {@link #run(Path)}, reporting the load's progress in bytes of the file (as {@link LlamaModel#load(Path,
     * WeightFormat, Residency, ThreadPool, LongConsumer)} does) and calling {@code afterLoad} before anything is
     * timed, e.g. to take a progress bar off the screen.
     */
    public BenchResult run(Path modelDir, LongConsumer loadProgress, Runnable afterLoad) {
        long start = System.nanoTime();
        try (ThreadPool pool = new ThreadPool(threads);
             LlamaModel model = LlamaModel.load(modelDir, quantize, residency, pool, loadProgress)) {
            long loadNanos = System.nanoTime() - start;
            afterLoad.run();
            var rssAfterLoad = ProcessMemory.residentBytes();
            int vocab = model.config().vocabSize();
            InferenceSession session = fusion == null
                    ? new InferenceSession(model, promptTokens + genTokens, pool)
                    : new InferenceSession(model, promptTokens + genTokens, pool, fusion.apply(model));
            int[] prompt = new SplittableRandom(PROMPT_SEED).ints(promptTokens, 0, vocab).toArray();

            generate(session, prompt, promptTokens, Math.min(genTokens, WARMUP_DECODE));
            session.reset();

            long t0 = System.nanoTime();
            float[] logits = session.forward(prompt, 0, promptTokens);
            long t1 = System.nanoTime();
            decode(session, logits, genTokens);
            long t2 = System.nanoTime();

            return new BenchResult(loadNanos, rssAfterLoad, ProcessMemory.peakResidentBytes(), model.weightBytes(),
                    session.cache().bytes(), DecodeTraffic.bytesPerToken(model), promptTokens, t1 - t0,
                    genTokens, t2 - t1, threads, model.weightFormat());
        }
    }

    private static void generate(InferenceSession session, int[] prompt, int promptLength, int steps) {
        decode(session, session.forward(prompt, 0, promptLength), steps);
    }

    /** Feeds {@code steps} greedy tokens one at a time, starting from the logits of the prompt. */
    private static void decode(InferenceSession session, float[] logits, int steps) {
        Sampler greedy = new Sampler(SamplingParams.greedy(steps), logits.length);
        int[] token = new int[1];
        for (int i = 0; i < steps; i++) {
            token[0] = greedy.sample(logits);
            logits = session.forward(token, 0, 1);
        }
    }
}
