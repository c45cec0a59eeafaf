package dev.loraflow.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The machine's read bandwidth as this JVM sees it: a float sum over a 1 GiB native segment, split across the
 * pool's threads, with four independent vector accumulators so the loop is load-bound. {@code sum:gigabytes} is GB/s;
 * it is the ceiling for the decode matvec ({@link MatMulKernelBenchmark}).
 *
 * <pre>java -jar bench/target/benchmarks.jar BaselineMemoryBandwidth -f 1 -wi 3 -i 5</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx2g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class BaselineMemoryBandwidth extends PooledBenchmark {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final long BYTES = 1L << 30;
    /** Work items: 256 KiB each, so threads share the segment evenly. */
    private static final int CHUNKS = 4096;

    Arena arena;
    MemorySegment data;
    float[] partial;

    @Setup(Level.Trial)
    public void setUp() {
        arena = Arena.ofShared();
        data = arena.allocate(BYTES, 4096);
        data.fill((byte) 1); // touch every page so the first iteration does not measure page faults
        partial = new float[CHUNKS];
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
    }

    @Benchmark
    public float sum(Rates c) {
        long per = BYTES / CHUNKS;
        int step = F.vectorByteSize();
        pool.parallelFor(CHUNKS, (c0, c1) -> {
            for (int chunk = c0; chunk < c1; chunk++) {
                long base = chunk * per;
                FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
                for (long o = 0; o < per; o += 4L * step) {
                    a0 = a0.add(FloatVector.fromMemorySegment(F, data, base + o, ByteOrder.LITTLE_ENDIAN));
                    a1 = a1.add(FloatVector.fromMemorySegment(F, data, base + o + step, ByteOrder.LITTLE_ENDIAN));
                    a2 = a2.add(FloatVector.fromMemorySegment(F, data, base + o + 2L * step, ByteOrder.LITTLE_ENDIAN));
                    a3 = a3.add(FloatVector.fromMemorySegment(F, data, base + o + 3L * step, ByteOrder.LITTLE_ENDIAN));
                }
                partial[chunk] = a0.add(a1).add(a2.add(a3)).reduceLanes(VectorOperators.ADD);
            }
        });
        c.gigabytes += BYTES / 1e9;
        return partial[0];
    }
}
