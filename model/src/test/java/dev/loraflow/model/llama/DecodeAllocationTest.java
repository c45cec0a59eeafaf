package dev.loraflow.model.llama;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loraflow.core.DType;
import dev.loraflow.kernels.ThreadPool;
import dev.loraflow.model.generate.Generator;
import dev.loraflow.model.generate.SamplingParams;
import dev.loraflow.model.lora.AdapterStack;
import dev.loraflow.model.lora.Fusion;
import dev.loraflow.model.lora.FusionPolicy;
import dev.loraflow.model.lora.LoraAdapter;
import dev.loraflow.model.lora.LoraFlowGate;
import dev.loraflow.model.lora.StaticWeights;
import dev.loraflow.model.tools.ModelShape;
import dev.loraflow.model.tools.RandomAdapters;
import dev.loraflow.model.tools.RandomModelWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Steady-state decode allocates nothing on the Java heap: after a warm-up (so C2 has compiled the kernels and
 * scalarised their vectors), the bytes allocated by every thread that runs the work — the caller and the pool's
 * workers — are counted over a window of decoded tokens. Base model in F32, BF16, F16 and Q8_0,
 * and with two adapters fused by static weights and by a LoRA-Flow gate; then {@link Generator} with greedy and with
 * temperature / top-p sampling. {@code mvn -Pjit-stress} also runs it in a JVM without tiered compilation (C2
 * compiling with the interpreter's thin profiles), the condition under which a vector call left virtual for want of
 * a profile boxed its vectors (12.5 KB per token here in some ordinary runs, 56 KB on stories15m).
 */
class DecodeAllocationTest {
    private static final int THREADS = 2;
    private static final int LAYERS = ModelShape.named("tiny").orElseThrow().numLayers();
    private static final int HIDDEN = ModelShape.named("tiny").orElseThrow().hiddenSize();
    private static final int CONTEXT = 256;
    private static final int[] PROMPT = {1, 17, 42, 99};
    /** Tokens decoded per measured window: the whole context after the prompt. */
    private static final int WINDOW = CONTEXT - PROMPT.length;
    /**
     * Longest wait for C2, in nanoseconds. The wait ends at the first window that allocates nothing (usually after a
     * few thousand tokens); it is a time, not a token count, because on a busy machine the single C2 thread can need
     * seconds to compile the kernels while the tiny model decodes thousands of tokens a second.
     */
    private static final long MAX_WARMUP_NANOS = 120_000_000_000L;

    @TempDir
    static Path dir;
    static ThreadPool pool;
    static long[] threadIds;

    @BeforeAll
    static void writeModels() {
        pool = new ThreadPool(THREADS);
        ModelShape tiny = ModelShape.named("tiny").orElseThrow();
        new RandomModelWriter(pool).write(tiny, DType.BF16, 3, dir.resolve("bf16"));
        new RandomModelWriter(pool).write(tiny, DType.F32, 3, dir.resolve("f32"));
        new RandomModelWriter(pool).write(tiny, DType.F16, 3, dir.resolve("f16"));
        long[] workers = pool.workerThreadIds();
        threadIds = new long[workers.length + 1];
        System.arraycopy(workers, 0, threadIds, 1, workers.length);
    }

    @AfterAll
    static void closePool() {
        pool.close();
    }

    /**
     * Fewer than 16 bytes per token: any object allocated every token costs at least 16 (the smallest object), so this
     * still fails on a per-token allocation, while tolerating a one-off of up to 16 × {@link #WINDOW} bytes in the
     * window (a late JIT recompilation can re-materialise a few scalar-replaced objects once, as seen under load).
     */
    private static void assertNoPerTokenObject(double bytesPerToken, String what) {
        assertTrue(bytesPerToken < 16, what + ": " + bytesPerToken);
    }

    /** Bytes allocated so far by the calling thread and the pool's workers. */
    private static long allocated() {
        threadIds[0] = Thread.currentThread().threadId();
        long sum = 0;
        for (long b : ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getThreadAllocatedBytes(threadIds)) {
            sum += b;
        }
        return sum;
    }

    /** What one call of {@link #allocated()} allocates itself (its result array), subtracted from every window. */
    private static long meterCost() {
        long a = allocated();
        long b = allocated();
        return b - a;
    }

    private static int argmax(float[] x) {
        int best = 0;
        for (int i = 1; i < x.length; i++) {
            if (x[i] > x[best]) {
                best = i;
            }
        }
        return best;
    }

    /**
     * Heap bytes per decoded token over a full context after the warm-up, prefill outside the window. The warm-up
     * decodes full contexts until one allocates nothing (C2 has compiled the kernels and scalarised their vectors)
     * or {@link #MAX_WARMUP_NANOS} have passed; the window measured is the next one.
     */
    private static double bytesPerDecodedToken(InferenceSession session) {
        long start = System.nanoTime();
        while (System.nanoTime() - start < MAX_WARMUP_NANOS && decodeWindow(session) > 0) {
            // not steady yet: C2 is still compiling
        }
        return (double) decodeWindow(session) / WINDOW;
    }

    /** Heap bytes allocated while decoding {@link #WINDOW} tokens after a prefill of the prompt. */
    private static long decodeWindow(InferenceSession session) {
        session.reset();
        int[] one = new int[1];
        float[] logits = session.forward(PROMPT, 0, PROMPT.length);
        long cost = meterCost();
        long before = allocated();
        for (int i = 0; i < WINDOW; i++) {
            one[0] = argmax(logits);
            logits = session.forward(one, 0, 1);
        }
        return allocated() - before - cost;
    }

    private static LlamaModel load(String dtype) {
        return dtype.equals("q8_0")
                ? LlamaModel.loadQuantized(dir.resolve("bf16"), WeightFormat.Q8_0, pool)
                : LlamaModel.load(dir.resolve(dtype));
    }

    private static double baseModel(String dtype) {
        try (LlamaModel model = load(dtype)) {
            return bytesPerDecodedToken(new InferenceSession(model, CONTEXT, pool));
        }
    }

    private static double withAdapters(String dtype, Function<List<String>, FusionPolicy> policy) {
        try (LlamaModel model = load(dtype)) {
            List<LoraAdapter> adapters = RandomAdapters.create(model.config(), 2, 4, 5);
            AdapterStack stack = AdapterStack.of(adapters, model.config());
            Fusion fusion = new Fusion(stack, policy.apply(stack.names()));
            return bytesPerDecodedToken(new InferenceSession(model, CONTEXT, pool, fusion));
        }
    }

    @Test
    void baseModelDecodeAllocatesNothing() {
        for (String dtype : List.of("f32", "bf16", "f16")) {
            assertNoPerTokenObject(baseModel(dtype), dtype + ": heap bytes per decoded token");
        }
    }

    @Test
    void fusedDecodeAllocatesNothing() {
        assertNoPerTokenObject(withAdapters("bf16", names -> StaticWeights.average(LAYERS, names.size())),
                "bf16 + static weights: heap bytes per decoded token");
        assertNoPerTokenObject(withAdapters("bf16", names -> LoraFlowGate.random(names, LAYERS, HIDDEN, 0.5f, 7)),
                "bf16 + LoRA-Flow gate: heap bytes per decoded token");
    }

    @Test
    void q8_0DecodeAllocatesNothing() {
        assertNoPerTokenObject(baseModel("q8_0"), "q8_0: heap bytes per decoded token");
        assertNoPerTokenObject(withAdapters("q8_0", names -> StaticWeights.average(LAYERS, names.size())),
                "q8_0 + static weights: heap bytes per decoded token");
        assertNoPerTokenObject(withAdapters("q8_0", names -> LoraFlowGate.random(names, LAYERS, HIDDEN, 0.5f, 7)),
                "q8_0 + LoRA-Flow gate: heap bytes per decoded token");
    }

    /**
     * The whole of {@link Generator#generate}, prompt and sampling included: the difference between a long and a
     * short run, per extra token. The only per-token heap use allowed is the returned id array (4 bytes a token).
     */
    @Test
    void generatorAllocatesOnlyItsResult() {
        try (LlamaModel model = load("bf16")) {
            for (SamplingParams params : List.of(
                    SamplingParams.greedy(0),
                    new SamplingParams(0, 0.8f, 0, 0.9f, 0f, 1.1f, 11),
                    new SamplingParams(0, 1.0f, 40, 1f, 0.05f, 1f, 12))) {
                InferenceSession session = new InferenceSession(model, CONTEXT, pool);
                int shortRun = 20;
                int longRun = WINDOW;
                bytesPerDecodedToken(session); // warm-up of the model's kernels
                // The sampler's own warm-up: a pair of runs can still catch a one-off (a late compilation of the
                // sampling loops allocated 1.9 KB once in one run), so pairs repeat until one shows no more than the
                // result array, within the time bound. A per-token allocation shows in every pair and still fails.
                double perToken = Double.MAX_VALUE;
                long start = System.nanoTime();
                while (perToken > Integer.BYTES && System.nanoTime() - start < MAX_WARMUP_NANOS) {
                    long a = generate(session, params, shortRun);
                    long b = generate(session, params, longRun);
                    perToken = (double) (b - a) / (longRun - shortRun);
                }
                assertTrue(perToken <= Integer.BYTES, params + ": " + perToken + " heap bytes per generated token");
            }
        }
    }

    /** Heap bytes allocated by one generate call of {@code tokens} tokens from a reset session. */
    private static long generate(InferenceSession session, SamplingParams base, int tokens) {
        SamplingParams params = new SamplingParams(tokens, base.temperature(), base.topK(), base.topP(), base.minP(),
                base.repetitionPenalty(), base.seed());
        session.reset();
        long before = allocated();
        int[] ids = Generator.generate(session, PROMPT, params, id -> false, id -> { });
        long bytes = allocated() - before;
        assertEquals(tokens, ids.length);
        return bytes;
    }
}
