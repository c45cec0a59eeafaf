package dev.loraflow.core.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.loraflow.core.DType;
import dev.loraflow.core.Tensor;
import dev.loraflow.kernels.ThreadPool;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The input gradient through a frozen weight is the same with and without the cached transpose. */
class TransposeGradientTest {
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "BF16"})
    void transposedGradientEqualsTheDirectKernel(DType dtype) {
        int n = 40, in = 70, out = 53; // n past the GEMM threshold; sizes not multiples of any vector length
        SplittableRandom r = new SplittableRandom(3);
        float[] w = new float[out * in];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) (r.nextDouble() - 0.5);
        }
        Tensor weight = FiniteDifferences.tensor("W", dtype, w, out, in);
        float[][] grads = new float[2][];
        try (ThreadPool pool = new ThreadPool(2)) {
            TransposeCache cache = new TransposeCache();
            for (int run = 0; run < 2; run++) {
                Parameter x = new Parameter("x", new float[n * in], n, in);
                fill(x.data(), 5);
                Tape tape = new Tape();
                Ops ops = new Ops(tape, pool, run == 0 ? null : cache);
                float[] probe = new float[n * out];
                fill(probe, 9);
                tape.backward(ops.dot(ops.linear(x, weight), probe));
                grads[run] = x.grad().clone();
            }
            assertEquals(dtype, cache.of(weight, pool).dtype());
        }
        // both sum the same products in float; only the order differs: a few ulps of values of order 10
        assertArrayEquals(grads[0], grads[1], 1e-4f);
    }

    private static void fill(float[] a, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) (r.nextDouble() * 2 - 1);
        }
    }
}
