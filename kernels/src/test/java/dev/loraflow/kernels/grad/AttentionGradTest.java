package dev.loraflow.kernels.grad;

import static dev.loraflow.kernels.grad.GradCheck.assertGradient;
import static dev.loraflow.kernels.grad.GradCheck.centralDifferences;
import static dev.loraflow.kernels.grad.GradCheck.uniform;

import dev.loraflow.kernels.ThreadPool;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Causal GQA attention over a batch of sequences against central differences of a double forward written here,
 * for GQA ratios 1 and 2 and head sizes off the lane counts. Outputs and gradients are sums of ≤ T·headDim
 * products of O(1) floats through a float softmax, so 2e-5 of the largest gradient.
 */
class AttentionGradTest {
    private static final ThreadPool POOL = new ThreadPool(3);

    @AfterAll
    static void close() {
        POOL.close();
    }

    @ParameterizedTest
    @CsvSource({"2, 4, 2, 2, 6", "2, 3, 2, 1, 5", "1, 5, 4, 2, 17", "3, 1, 2, 2, 4", "2, 4, 1, 1, 3", "2, 37, 2, 1, 20", "1, 70, 2, 2, 64"})
    void matchesCentralDifferences(int batch, int seqLen, int heads, int kvHeads, int headDim) {
        AttentionGrad.Shape s = new AttentionGrad.Shape(batch, seqLen, heads, kvHeads, headDim, (float) (1 / Math.sqrt(headDim)));
        int rows = s.rows();
        float[] q = scaled(uniform(1, rows * heads * headDim), 2), k = scaled(uniform(2, rows * kvHeads * headDim), 2);
        float[] v = uniform(3, rows * kvHeads * headDim), dOut = uniform(4, rows * heads * headDim);
        float[] out = new float[q.length], lse = new float[rows * heads];
        AttentionGrad.forward(q, k, v, out, lse, s, POOL);
        assertGradient(forward(GradCheck.toDouble(q), GradCheck.toDouble(k), GradCheck.toDouble(v), s), out, 2e-6, "forward");

        float[] dq = new float[q.length], dk = new float[k.length], dv = new float[v.length];
        AttentionGrad.backward(q, k, v, lse, dOut, dq, dk, dv, s, POOL);
        String shape = " " + s;
        // Central differences cost (inputs × forward) ~ T^3: beyond a few thousand inputs, every 37th element
        // (37 is prime, so the sample walks across heads and positions); the reference comparison below is complete.
        int stride = q.length > 4096 ? 37 : 1;
        assertGradient(centralDifferences(in -> GradCheck.project(forward(in[0], in[1], in[2], s), dOut), 0, stride, q, k, v), dq, stride, 2e-5, "dq" + shape);
        assertGradient(centralDifferences(in -> GradCheck.project(forward(in[0], in[1], in[2], s), dOut), 1, stride, q, k, v), dk, stride, 2e-5, "dk" + shape);
        assertGradient(centralDifferences(in -> GradCheck.project(forward(in[0], in[1], in[2], s), dOut), 2, stride, q, k, v), dv, stride, 2e-5, "dv" + shape);

        float[] outRef = new float[q.length], lseRef = new float[lse.length];
        AttentionGrad.forwardReference(q, k, v, outRef, lseRef, s);
        assertGradient(GradCheck.toDouble(outRef), out, 2e-6, "forward vs reference");
        assertGradient(GradCheck.toDouble(lseRef), lse, 2e-6, "lse vs reference");
        float[] dqRef = new float[q.length], dkRef = new float[k.length], dvRef = new float[v.length];
        AttentionGrad.backwardReference(q, k, v, dOut, dqRef, dkRef, dvRef, s);
        assertGradient(GradCheck.toDouble(dqRef), dq, 2e-5, "dq vs reference");
        assertGradient(GradCheck.toDouble(dkRef), dk, 2e-5, "dk vs reference");
        assertGradient(GradCheck.toDouble(dvRef), dv, 2e-5, "dv vs reference");
    }

    private static float[] scaled(float[] a, float by) {
        for (int i = 0; i < a.length; i++) {
            a[i] *= by;
        }
        return a;
    }

    /** The definition, independent of the kernels: per sequence, per head, softmax over keys 0..t. */
    static double[] forward(double[] q, double[] k, double[] v, AttentionGrad.Shape s) {
        int hd = s.headDim(), group = s.heads() / s.kvHeads();
        int qs = s.heads() * hd, ks = s.kvHeads() * hd;
        double[] out = new double[s.rows() * qs];
        for (int b = 0; b < s.batch(); b++) {
            for (int t = 0; t < s.seqLen(); t++) {
                int row = b * s.seqLen() + t;
                for (int h = 0; h < s.heads(); h++) {
                    int kvCol = h / group * hd;
                    double[] w = new double[t + 1];
                    double sum = 0;
                    for (int j = 0; j <= t; j++) {
                        double d = 0;
                        for (int x = 0; x < hd; x++) {
                            d += q[row * qs + h * hd + x] * k[(b * s.seqLen() + j) * ks + kvCol + x];
                        }
                        w[j] = Math.exp(d * s.scale());
                        sum += w[j];
                    }
                    for (int j = 0; j <= t; j++) {
                        for (int x = 0; x < hd; x++) {
                            out[row * qs + h * hd + x] += w[j] / sum * v[(b * s.seqLen() + j) * ks + kvCol + x];
                        }
                    }
                }
            }
        }
        return out;
    }
}
