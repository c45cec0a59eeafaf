package dev.loraflow.bench;

import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The FMA ceiling: twelve independent vector FMA chains per thread (more than latency × issue width, so the FMA
 * units, not the dependency chains, are the limit), no memory traffic. {@code fma:gflops} is GFLOP/s counting an FMA
 * lane as 2 FLOPs; compare {@code MatMulKernelBenchmark.gemm:gflops} against it.
 *
 * <pre>java -jar bench/target/benchmarks.jar BaselineFmaPeak -f 1 -wi 3 -i 5</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class BaselineFmaPeak extends PooledBenchmark {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int ITERATIONS = 1 << 20;

    float[] out;

    @Setup(Level.Trial)
    public void setUp() {
        out = new float[threads];
    }

    @Benchmark
    public float fma(Rates c) {
        pool.parallelFor(threads, (t0, t1) -> {
            for (int t = t0; t < t1; t++) {
                out[t] = chains(1f + t * 1e-9f);
            }
        });
        c.gflops += 2.0 * 12 * F.length() * ITERATIONS * threads / 1e9;
        return out[0];
    }

    /** Multiplier just below 1 and a tiny addend keep every value finite and normal for the whole run. */
    private static float chains(float seed) {
        FloatVector m = FloatVector.broadcast(F, 0.999999f);
        FloatVector d = FloatVector.broadcast(F, 1e-7f);
        FloatVector a0 = FloatVector.broadcast(F, seed), a1 = a0.add(1), a2 = a0.add(2), a3 = a0.add(3);
        FloatVector a4 = a0.add(4), a5 = a0.add(5), a6 = a0.add(6), a7 = a0.add(7);
        FloatVector a8 = a0.add(8), a9 = a0.add(9), a10 = a0.add(10), a11 = a0.add(11);
        for (int i = 0; i < ITERATIONS; i++) {
            a0 = a0.fma(m, d);
            a1 = a1.fma(m, d);
            a2 = a2.fma(m, d);
            a3 = a3.fma(m, d);
            a4 = a4.fma(m, d);
            a5 = a5.fma(m, d);
            a6 = a6.fma(m, d);
            a7 = a7.fma(m, d);
            a8 = a8.fma(m, d);
            a9 = a9.fma(m, d);
            a10 = a10.fma(m, d);
            a11 = a11.fma(m, d);
        }
        return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9).add(a10).add(a11)
                .reduceLanes(VectorOperators.ADD);
    }
}
