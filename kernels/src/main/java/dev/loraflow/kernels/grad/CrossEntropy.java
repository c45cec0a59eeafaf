package dev.loraflow.kernels.grad;

import dev.loraflow.kernels.Reproducible;
import dev.loraflow.kernels.ThreadPool;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Next-token cross-entropy over rows of logits [n][vocab], averaged over the rows that count (mask true: the
 * response tokens; prompt and padding are off). Log-sum-exp subtracts the row maximum, so no exponent overflows.
 * Rows are independent, so both passes are parallel over rows; the mean is summed in order, in double, so the loss
 * does not depend on the thread count.
 */
public final class CrossEntropy {
    private static final VectorSpecies<Float> F = Lanes.F;

    private CrossEntropy() {}

    /** Mean over counted rows of logsumexp(logits[t]) − logits[t][targets[t]]. */
    public static float loss(float[] logits, int vocab, int[] targets, boolean[] counted, ThreadPool pool) {
        int n = check(logits, vocab, targets, counted);
        float[] rowLoss = new float[n];
        pool.parallelFor(n, (t0, t1) -> {
            for (int t = t0; t < t1; t++) {
                if (counted[t]) {
                    rowLoss[t] = logSumExp(logits, t * vocab, vocab) - logits[t * vocab + targets[t]];
                }
            }
        });
        double sum = 0;
        for (int t = 0; t < n; t++) {
            sum += rowLoss[t];
        }
        return (float) (sum / count(counted));
    }

    /** dlogits[t] += scale / count · (softmax(logits[t]) − onehot(targets[t])) for counted rows; others get nothing. */
    public static void gradient(float[] logits, int vocab, int[] targets, boolean[] counted, float scale,
                                float[] dlogits, ThreadPool pool) {
        int n = check(logits, vocab, targets, counted);
        MatMulGrad.checkRange(dlogits, 0, (long) n * vocab, "dlogits");
        float perRow = scale / count(counted);
        pool.parallelFor(n, (t0, t1) -> {
            for (int t = t0; t < t1; t++) {
                if (counted[t]) {
                    gradientRow(logits, t * vocab, vocab, perRow, dlogits);
                    dlogits[t * vocab + targets[t]] -= perRow;
                }
            }
        });
    }

    /** d[o..o+vocab) += a · exp(x − lse). */
    private static void gradientRow(float[] x, int o, int vocab, float a, float[] d) {
        float lse = logSumExp(x, o, vocab);
        int i = 0;
        for (int bound = F.loopBound(vocab); i < bound; i += F.length()) {
            FloatVector p = Reproducible.exp(FloatVector.fromArray(F, x, o + i).sub(lse));
            p.fma(FloatVector.broadcast(F, a), FloatVector.fromArray(F, d, o + i)).intoArray(d, o + i);
        }
        for (; i < vocab; i++) {
            d[o + i] += a * (float) Math.exp(x[o + i] - lse);
        }
    }

    static float logSumExp(float[] x, int o, int n) {
        int bound = F.loopBound(n);
        int i = 0;
        FloatVector m = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
        for (; i < bound; i += F.length()) {
            m = FloatVector.fromArray(F, x, o + i).max(m); // fresh receiver (see VectorMath.max)
        }
        float max = m.reduceLanes(VectorOperators.MAX);
        for (; i < n; i++) {
            max = Math.max(max, x[o + i]);
        }
        FloatVector acc = FloatVector.zero(F);
        for (i = 0; i < bound; i += F.length()) {
            acc = Reproducible.exp(FloatVector.fromArray(F, x, o + i).sub(max)).add(acc);
        }
        float sum = Reproducible.sum(acc);
        for (; i < n; i++) {
            sum += (float) Math.exp(x[o + i] - max);
        }
        return max + (float) Math.log(sum);
    }

    /** Scalar twin of {@link #loss} in double. */
    public static double lossReference(float[] logits, int vocab, int[] targets, boolean[] counted) {
        int n = check(logits, vocab, targets, counted);
        double sum = 0;
        for (int t = 0; t < n; t++) {
            if (counted[t]) {
                sum += logSumExpReference(logits, t * vocab, vocab) - logits[t * vocab + targets[t]];
            }
        }
        return sum / count(counted);
    }

    /** Scalar twin of {@link #gradient} in double. */
    public static void gradientReference(float[] logits, int vocab, int[] targets, boolean[] counted, float scale, float[] dlogits) {
        int n = check(logits, vocab, targets, counted);
        double perRow = (double) scale / count(counted);
        for (int t = 0; t < n; t++) {
            if (counted[t]) {
                double lse = logSumExpReference(logits, t * vocab, vocab);
                for (int i = 0; i < vocab; i++) {
                    double p = Math.exp(logits[t * vocab + i] - lse) - (i == targets[t] ? 1 : 0);
                    dlogits[t * vocab + i] += (float) (perRow * p);
                }
            }
        }
    }

    private static double logSumExpReference(float[] x, int o, int n) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, x[o + i]);
        }
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += Math.exp(x[o + i] - max);
        }
        return max + Math.log(sum);
    }

    private static int count(boolean[] counted) {
        int c = 0;
        for (boolean b : counted) {
            c += b ? 1 : 0;
        }
        if (c == 0) {
            throw new IllegalArgumentException("the loss mask counts no position: the mean over tokens is undefined");
        }
        return c;
    }

    /** Validates shapes and counted targets; returns n. */
    private static int check(float[] logits, int vocab, int[] targets, boolean[] counted) {
        int n = targets.length;
        if (counted.length != n) {
            throw new IllegalArgumentException("mask has " + counted.length + " positions but there are " + n + " targets");
        }
        MatMulGrad.checkRange(logits, 0, (long) n * vocab, "logits");
        for (int t = 0; t < n; t++) {
            if (counted[t] && (targets[t] < 0 || targets[t] >= vocab)) {
                throw new IllegalArgumentException("target " + targets[t] + " at position " + t + " is outside the vocabulary of " + vocab);
            }
        }
        return n;
    }
}
