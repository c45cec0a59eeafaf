package dev.loraflow.bench;

import dev.loraflow.core.DType;
import dev.loraflow.kernels.ThreadPool;
import dev.loraflow.model.llama.InferenceSession;
import dev.loraflow.model.llama.LlamaModel;
import dev.loraflow.model.llama.WeightFormat;
import dev.loraflow.model.lora.AdapterStack;
import dev.loraflow.model.lora.Fusion;
import dev.loraflow.model.lora.LoraFlowGate;
import dev.loraflow.model.lora.StaticWeights;
import dev.loraflow.model.tools.ModelShape;
import dev.loraflow.model.tools.RandomAdapters;
import dev.loraflow.model.tools.RandomModelWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One decode step (one token through every layer and the output head) of a random-weight model, for the
 * allocation check: run it with {@code -prof gc} and read {@code gc.alloc.rate.norm} (heap bytes per step; JMH counts
 * every thread of the JVM, so the pool's workers too). The context is {@link #CONTEXT} tokens; when it is full the
 * session restarts at position 0 with another single token, so every step is a decode step and attention averages
 * over positions 0..CONTEXT.
 *
 * <pre>java -jar bench/target/benchmarks.jar DecodeStepBenchmark -prof gc
 * java -jar bench/target/benchmarks.jar DecodeStepBenchmark -prof gc -p shape=tinyllama-1.1b -p weights=BF16 -p fusion=none</pre>
 * {@code fusion}: none (base model), static (2 random rank-16 adapters at 1/2 each) or gate (the same, weighted by a
 * random LoRA-Flow gate). The model is written to a temporary directory at set-up and deleted at tear-down.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Xmx4g"})
@Warmup(iterations = 4, time = 2)
@Measurement(iterations = 5, time = 2)
public class DecodeStepBenchmark {
    static final int CONTEXT = 512;

    @Param({"stories15m"})
    public String shape;
    @Param({"BF16", "F32", "Q8_0"})
    public String weights;
    @Param({"none", "static", "gate"})
    public String fusion;
    @Param({"2"})
    public int threads;

    private Path dir;
    private ThreadPool pool;
    private LlamaModel model;
    private InferenceSession session;
    private final int[] token = new int[1];

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        pool = new ThreadPool(threads);
        dir = Files.createTempDirectory("loraflow-decode-bench");
        ModelShape s = ModelShape.named(shape).orElseThrow(() -> new IllegalArgumentException("unknown shape " + shape));
        DType fileType = weights.equals("F32") ? DType.F32 : DType.BF16;
        new RandomModelWriter(pool).write(s, fileType, 1, dir);
        model = weights.equals("Q8_0") ? LlamaModel.loadQuantized(dir, WeightFormat.Q8_0, pool) : LlamaModel.load(dir);
        int layers = model.config().numLayers();
        Fusion f = switch (fusion) {
            case "none" -> Fusion.none(model.config());
            case "static", "gate" -> {
                AdapterStack stack = AdapterStack.of(RandomAdapters.create(model.config(), 2, 16, 7), model.config());
                yield new Fusion(stack, fusion.equals("static")
                        ? StaticWeights.average(layers, 2)
                        : LoraFlowGate.random(stack.names(), layers, model.config().hiddenSize(), 0.5f, 11));
            }
            default -> throw new IllegalArgumentException("fusion must be none, static or gate, got " + fusion);
        };
        session = new InferenceSession(model, CONTEXT, pool, f);
    }

    @Benchmark
    public float step() {
        if (session.position() == session.capacity()) {
            session.reset();
        }
        float[] logits = session.forward(token, 0, 1);
        token[0] = (token[0] * 31 + 7) % logits.length; // a varying but allocation-free next token
        return logits[token[0]];
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        model.close();
        pool.close();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
