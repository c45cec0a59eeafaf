package dev.loraflow.bench;

import dev.loraflow.kernels.Dtype;
import dev.loraflow.kernels.MatMul;
import dev.loraflow.kernels.Q8_0;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.SplittableRandom;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Weight-matrix kernels. The secondary result {@code matvec:gigabytes} is the decode matvec's weight-read rate in GB/s
 * ({@code rows × cols × bytes-per-weight} per call; equivalently ops/s × that byte count / 1e9), and
 * {@code gemm:gflops} is the n = 2048 F32 GEMM in GFLOP/s (2·n·rows·cols per call), {@code prefill:gflops} the same
 * rate for a prompt's worth of tokens (128) through one MLP-sized weight in each stored type, {@code mlp:gflops} a
 * whole tinyllama MLP for those tokens in one fused pass. The matvec cycles through enough
 * copies of W (≥ 384 MiB) that every call streams from DRAM, as in decode.
 *
 * <pre>java -jar bench/target/benchmarks.jar MatMulKernelBenchmark -f 1 -wi 3 -i 5</pre>
 * Add {@code -p threads=1} for one core, {@code -jvmArgsAppend -Dloraflow.vectorBits=256} to force a vector width.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx6g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class MatMulKernelBenchmark extends PooledBenchmark {
    private static final long STREAM_BYTES = 384L << 20;


    /** Shared state is per benchmark method, so the matvec and GEMM set-ups stay separate. */
    @State(Scope.Benchmark)
    public static class Matvec {
        @Param({"F32", "BF16", "F16", "Q8_0"})
        public String dtype;
        @Param({"5632"})
        public int rows;
        @Param({"2048"})
        public int cols;

        Arena arena;
        MemorySegment[] copies;
        float[] x;
        float[] y;
        int next;
        long bytesPerCall;

        @Setup(Level.Trial)
        public void setUp() {
            arena = Arena.ofShared();
            bytesPerCall = switch (dtype) {
                case "F32" -> 4L * rows * cols;
                case "BF16", "F16" -> 2L * rows * cols;
                case "Q8_0" -> Q8_0.bytes(rows, cols);
                default -> throw new IllegalArgumentException(dtype);
            };
            copies = new MemorySegment[(int) Math.max(1, (STREAM_BYTES + bytesPerCall - 1) / bytesPerCall)];
            for (int i = 0; i < copies.length; i++) {
                copies[i] = weights(arena, dtype, rows, cols, i);
            }
            x = random(cols, 99);
            y = new float[rows];
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            arena.close();
        }

        MemorySegment nextWeights() {
            MemorySegment w = copies[next];
            next = (next + 1) % copies.length;
            return w;
        }
    }

    /** W [rows][cols] in the given type and X [tokens][cols] for one product; W's memory is freed after the trial. */
    @State(Scope.Benchmark)
    public abstract static class Product {
        Arena arena;
        MemorySegment w;
        float[] x;
        float[] y;

        void allocate(String dtype, int rows, int cols, int tokens, long wSeed, long xSeed) {
            arena = Arena.ofShared();
            w = weights(arena, dtype, rows, cols, wSeed);
            x = random(tokens * cols, xSeed);
            y = new float[tokens * rows];
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            arena.close();
        }
    }

    @State(Scope.Benchmark)
    public static class Gemm extends Product {
        @Param({"2048"})
        public int size;

        @Setup(Level.Trial)
        public void setUp() {
            allocate("F32", size, size, size, 1, 2);
        }
    }

    /** A prefill-sized product: {@code tokens} activations through one [rows][cols] weight of the given type. */
    @State(Scope.Benchmark)
    public static class Prefill extends Product {
        @Param({"F32", "BF16", "Q8_0"})
        public String dtype;
        @Param({"128"})
        public int tokens;
        @Param({"5632"})
        public int rows;
        @Param({"2048"})
        public int cols;

        @Setup(Level.Trial)
        public void setUp() {
            allocate(dtype, rows, cols, tokens, 3, 4);
        }
    }

    /** A Llama MLP (gate, up [inter][hidden], down [hidden][inter]) and a prompt's activations, for {@link #mlp}. */
    @State(Scope.Benchmark)
    public static class Mlp {
        @Param({"F32", "BF16", "Q8_0"})
        public String dtype;
        @Param({"128"})
        public int tokens;
        @Param({"2048"})
        public int hidden;
        @Param({"5632"})
        public int inter;

        Arena arena;
        MemorySegment gate;
        MemorySegment up;
        MemorySegment down;
        float[] x;
        float[] y;

        @Setup(Level.Trial)
        public void setUp() {
            arena = Arena.ofShared();
            gate = weights(arena, dtype, inter, hidden, 5);
            up = weights(arena, dtype, inter, hidden, 6);
            down = weights(arena, dtype, hidden, inter, 7);
            x = random(tokens * hidden, 8);
            y = new float[tokens * hidden];
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            arena.close();
        }
    }

    @Benchmark
    public float matvec(Matvec s, Rates c) {
        MemorySegment w = s.nextWeights();
        switch (s.dtype) {
            case "F32" -> MatMul.f32(w, 0, s.rows, s.cols, s.x, 0, s.y, 0, 1, pool);
            case "BF16" -> MatMul.bf16(w, 0, s.rows, s.cols, s.x, 0, s.y, 0, 1, pool);
            case "F16" -> MatMul.f16(w, 0, s.rows, s.cols, s.x, 0, s.y, 0, 1, pool);
            case "Q8_0" -> MatMul.q8_0(w, 0, s.rows, s.cols, s.x, 0, s.y, 0, 1, pool);
            default -> throw new IllegalArgumentException(s.dtype);
        }
        c.gigabytes += s.bytesPerCall / 1e9;
        return s.y[0];
    }

    @Benchmark
    public float gemm(Gemm s, Rates c) {
        MatMul.f32(s.w, 0, s.size, s.size, s.x, 0, s.y, 0, s.size, pool);
        c.gflops += 2.0 * s.size * s.size * s.size / 1e9;
        return s.y[0];
    }

    @Benchmark
    public float prefill(Prefill s, Rates c) {
        switch (s.dtype) {
            case "F32" -> MatMul.f32(s.w, 0, s.rows, s.cols, s.x, 0, s.y, 0, s.tokens, pool);
            case "BF16" -> MatMul.bf16(s.w, 0, s.rows, s.cols, s.x, 0, s.y, 0, s.tokens, pool);
            case "Q8_0" -> MatMul.q8_0(s.w, 0, s.rows, s.cols, s.x, 0, s.y, 0, s.tokens, pool);
            default -> throw new IllegalArgumentException(s.dtype);
        }
        c.gflops += 2.0 * s.tokens * s.rows * s.cols / 1e9;
        return s.y[0];
    }

    /** The fused MLP of a prompt ({@link MatMul#swiGlu}): three products' FLOPs (SiLU not counted). */
    @Benchmark
    public float mlp(Mlp s, Rates c) {
        MatMul.swiGlu(Dtype.valueOf(s.dtype), s.gate, s.up, s.down, s.hidden, s.inter, s.x, 0, s.y, 0, s.tokens, pool);
        c.gflops += 3 * 2.0 * s.tokens * s.inter * s.hidden / 1e9;
        return s.y[0];
    }

    static float[] random(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (r.nextDouble() - 0.5);
        }
        return a;
    }

    /** Realistic small weights (no denormals, NaNs or infinities that raw random bits would give). */
    static MemorySegment weights(Arena arena, String dtype, int rows, int cols, long seed) {
        ValueLayout.OfShort s16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        ValueLayout.OfFloat f32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        SplittableRandom r = new SplittableRandom(seed);
        float[] row = new float[cols];
        long rowBytes = dtype.equals("Q8_0") ? Q8_0.bytes(1, cols) : (long) cols * (dtype.equals("F32") ? 4 : 2);
        MemorySegment m = arena.allocate(rows * rowBytes, 64);
        for (int i = 0; i < rows; i++) {
            for (int c = 0; c < cols; c++) {
                row[c] = (float) ((r.nextDouble() - 0.5) * 0.1);
            }
            long at = i * rowBytes;
            for (int c = 0; c < cols; c++) {
                switch (dtype) {
                    case "F32" -> m.set(f32, at + 4L * c, row[c]);
                    case "BF16" -> m.set(s16, at + 2L * c, (short) (Float.floatToRawIntBits(row[c]) >>> 16));
                    case "F16" -> m.set(s16, at + 2L * c, Float.floatToFloat16(row[c]));
                    default -> { }
                }
            }
            if (dtype.equals("Q8_0")) {
                Q8_0.quantize(row, 0, cols, m, at);
            }
        }
        return m;
    }
}
