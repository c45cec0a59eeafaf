package dev.loraflow.core.autograd;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

import dev.loraflow.core.DType;
import dev.loraflow.core.Tensor;
import dev.loraflow.kernels.ThreadPool;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * Checks the tape's gradients of a scalar loss built from {@link Ops} against central differences of the same
 * float32 forward. The kernels themselves are checked against double-precision forwards (kernels/grad tests);
 * here what is checked is the wiring (which input gets which gradient, accumulation, what requires one), where a
 * mistake is an O(1) error. With step h = 1e-2 on O(1) inputs the central difference is off by h²·f'''/6 ≈ 2e-5
 * (truncation) plus the loss's float rounding, ~1e-6 absolute, divided by 2h: ~1e-4. The tolerance, 2e-3 of the
 * largest gradient plus 1e-2 relative, stays well above both and far below a wiring error.
 */
final class FiniteDifferences {
    static final float STEP = 1e-2f;

    private FiniteDifferences() {}

    /** Runs loss(ops) with a recording tape, backpropagates, and compares every parameter's gradient. */
    static void check(String what, ThreadPool pool, Function<Ops, Variable> loss, Parameter... params) {
        Tape tape = new Tape();
        tape.backward(loss.apply(new Ops(tape, pool)));
        for (Parameter p : params) {
            float[] analytic = p.grad();
            assertNotNull(analytic, what + ": no gradient reached " + p.name());
            float[] numeric = new float[analytic.length];
            float[] x = p.data();
            for (int i = 0; i < x.length; i++) {
                float orig = x[i];
                x[i] = orig + STEP;
                double plus = evaluate(loss, pool);
                x[i] = orig - STEP;
                double minus = evaluate(loss, pool);
                x[i] = orig;
                numeric[i] = (float) ((plus - minus) / (2 * STEP));
            }
            assertClose(numeric, analytic, what + " d/d" + p.name());
        }
    }

    static double evaluate(Function<Ops, Variable> loss, ThreadPool pool) {
        return loss.apply(new Ops(Tape.notRecording(), pool)).item();
    }

    static void assertClose(float[] numeric, float[] analytic, String what) {
        double scale = 0;
        for (float v : numeric) {
            scale = Math.max(scale, Math.abs(v));
        }
        for (int i = 0; i < numeric.length; i++) {
            double tol = 2e-3 * Math.max(scale, 1e-3) + 1e-2 * Math.abs(numeric[i]);
            if (!(Math.abs(numeric[i] - analytic[i]) <= tol)) {
                fail(what + " differs at " + i + ": central difference " + numeric[i] + ", tape " + analytic[i] + " (tolerance " + tol + ")");
            }
        }
    }

    static float[] uniform(long seed, int n, float amplitude) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) ((r.nextDouble() * 2 - 1) * amplitude);
        }
        return a;
    }

    static Parameter parameter(String name, long seed, int rows, int cols) {
        return new Parameter(name, uniform(seed, rows * cols, 1f), rows, cols);
    }

    /** A frozen weight [rows][cols] stored as F32 or BF16, like a memory-mapped checkpoint tensor. */
    static Tensor tensor(String name, DType dtype, float[] values, int rows, int cols) {
        MemorySegment s = Arena.ofAuto().allocate((long) values.length * dtype.byteSize(), 16);
        for (int i = 0; i < values.length; i++) {
            switch (dtype) {
                case F32 -> s.set(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 4L * i, values[i]);
                case BF16 -> s.set(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 2L * i,
                        (short) (Float.floatToRawIntBits(values[i]) >>> 16));
                default -> throw new IllegalArgumentException(dtype.toString());
            }
        }
        return new Tensor(name, dtype, new long[] {rows, cols}, s);
    }
}
