package dev.loraflow.bench;

import dev.loraflow.kernels.Attention;
import java.util.concurrent.TimeUnit;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * Causal GQA attention of one layer ({@link Attention#causal}) in tinyllama's shape (32 query heads, 4 KV heads of
 * 64). {@code prefill}: a prompt of {@code tokens} rows against itself, in GFLOP/s (scores and weighted values,
 * 4·headDim FLOPs per query head and visible key). {@code decode}: one new row against a cache of {@code context}
 * positions, in GB/s of keys and values read (the decode step is bound by reading the cache).
 *
 * <pre>java --add-modules jdk.incubator.vector -jar bench/target/benchmarks.jar AttentionBenchmark -f 1 -wi 3 -i 5</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class AttentionBenchmark extends PooledBenchmark {
    @Param({"32"})
    public int heads;
    @Param({"4"})
    public int kvHeads;
    @Param({"64"})
    public int headDim;

    /** Queries for {@code rows} rows and a cache of {@code positions} filled keys and values. */
    abstract static class Operands {
        float[] q;
        float[] keys;
        float[] values;
        float[] out;

        void allocate(AttentionBenchmark b, int rows, int positions) {
            int kvDim = b.kvHeads * b.headDim;
            q = MatMulKernelBenchmark.random(rows * b.heads * b.headDim, 1);
            keys = MatMulKernelBenchmark.random(positions * kvDim, 2);
            values = MatMulKernelBenchmark.random(positions * kvDim, 3);
            out = new float[q.length];
        }
    }

    @State(Scope.Benchmark)
    public static class Prompt extends Operands {
        @Param({"128", "512"})
        public int tokens;

        @Setup(Level.Trial)
        public void setUp(AttentionBenchmark b) {
            allocate(b, tokens, tokens);
        }
    }

    @State(Scope.Benchmark)
    public static class Cache extends Operands {
        @Param({"512", "2048"})
        public int context;

        @Setup(Level.Trial)
        public void setUp(AttentionBenchmark b) {
            allocate(b, 1, context);
        }
    }

    @Benchmark
    public float prefill(Prompt s, Rates c) {
        Attention.causal(s.q, 0, s.keys, s.values, s.out, 0, 0, s.tokens, heads, kvHeads, headDim, scale(), pool);
        c.gflops += 4.0 * headDim * heads * s.tokens * (s.tokens + 1) / 2 / 1e9;
        return s.out[0];
    }

    @Benchmark
    public float decode(Cache s, Rates c) {
        Attention.causal(s.q, 0, s.keys, s.values, s.out, 0, s.context - 1, 1, heads, kvHeads, headDim, scale(), pool);
        c.gigabytes += 2.0 * s.context * kvHeads * headDim * Float.BYTES / 1e9;
        return s.out[0];
    }

    private float scale() {
        return (float) (1 / Math.sqrt(headDim));
    }
}
