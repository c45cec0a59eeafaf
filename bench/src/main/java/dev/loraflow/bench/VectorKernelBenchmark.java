package dev.loraflow.bench;

import dev.loraflow.kernels.Rope;
import dev.loraflow.kernels.VectorMath;
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
 * The per-token vector kernels on one thread, over rows of a model's widths (in L1/L2, as in a forward pass): dot
 * product, RMSNorm and softmax over {@code size} floats, SiLU·mul over {@code size} gate and up values, RoPE over
 * {@code size / 64} heads of 64. The secondary result {@code METHOD:gigabytes} is the rate of floats the kernel reads
 * and writes (dot: 2 reads; rmsNorm: x read twice, weight, out; softmax: 3 reads and 2 writes of the row over its
 * passes; siluMul: 2 reads, 1 write; rope: 1 read and 1 write of the row, cos and sin read once per head); the
 * fresh copy of the row that softmax and rope start from is not counted.
 *
 * <pre>java --add-modules jdk.incubator.vector -jar bench/target/benchmarks.jar VectorKernelBenchmark -f 1 -wi 3 -i 5</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class VectorKernelBenchmark {
    private static final int HEAD_DIM = 64;

    @Param({"2048", "5632"})
    public int size;

    float[] a;
    float[] b;
    float[] out;
    float[] cos;
    float[] sin;

    @Setup(Level.Trial)
    public void setUp() {
        a = MatMulKernelBenchmark.random(size, 1);
        b = MatMulKernelBenchmark.random(size, 2);
        out = new float[size];
        cos = MatMulKernelBenchmark.random(HEAD_DIM / 2, 3);
        sin = MatMulKernelBenchmark.random(HEAD_DIM / 2, 4);
    }

    @Benchmark
    public float dot(Rates c) {
        c.gigabytes += 2.0 * size * Float.BYTES / 1e9;
        return VectorMath.dot(a, 0, b, 0, size);
    }

    @Benchmark
    public float rmsNorm(Rates c) {
        VectorMath.rmsNorm(a, 0, b, 1e-5f, out, 0, size);
        c.gigabytes += 4.0 * size * Float.BYTES / 1e9;
        return out[0];
    }

    /** Softmax of a copy of the row (softmax in place on one row would settle into a constant input). */
    @Benchmark
    public float softmax(Rates c) {
        System.arraycopy(a, 0, out, 0, size);
        VectorMath.softmaxInPlace(out, 0, size);
        c.gigabytes += 5.0 * size * Float.BYTES / 1e9;
        return out[0];
    }

    @Benchmark
    public float siluMul(Rates c) {
        VectorMath.siluMul(a, 0, b, 0, out, 0, size);
        c.gigabytes += 3.0 * size * Float.BYTES / 1e9;
        return out[0];
    }

    /** Rotates a copy of the row (rotating one row over and over would let its values drift). */
    @Benchmark
    public float rope(Rates c) {
        System.arraycopy(a, 0, out, 0, size);
        Rope.rotate(out, 0, size / HEAD_DIM, HEAD_DIM, cos, sin, 0);
        c.gigabytes += (2.0 * size + (double) size / HEAD_DIM * HEAD_DIM) * Float.BYTES / 1e9;
        return out[0];
    }
}
