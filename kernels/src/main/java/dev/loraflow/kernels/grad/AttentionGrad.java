package dev.loraflow.kernels.grad;

import dev.loraflow.kernels.ThreadPool;
import dev.loraflow.kernels.VectorMath;
import java.util.Arrays;

/**
 * Causal grouped-query attention for training: a batch of B independent sequences of T positions, laid out
 * q, out [B*T][heads*headDim] and k, v [B*T][kvHeads*headDim]; query head h reads KV head h / (heads/kvHeads).
 *
 * <p>Memory choice: the forward keeps only the log-sum-exp of each (row, head)'s scores, [B*T][heads] floats, not
 * the probabilities (B·heads·T²/2 floats). The backward recomputes each probability as exp(score − lse): one
 * extra q·k dot per (query, key) pair, against the dP dot and three axpys the backward does there anyway.
 *
 * <p>The backward runs one work item per (sequence, KV head): the item owns that KV head's rows of dK and dV, which
 * all query heads of its group accumulate into (GQA), and those query heads' rows of dQ, so no two threads write
 * the same gradient. All gradients accumulate.
 */
public final class AttentionGrad {
    private AttentionGrad() {}

    /** Sizes of one attention call; scale is usually 1/sqrt(headDim). */
    public record Shape(int batch, int seqLen, int heads, int kvHeads, int headDim, float scale) {
        public Shape {
            if (batch < 0 || seqLen < 0 || headDim <= 0 || kvHeads <= 0 || heads % kvHeads != 0 || heads < kvHeads) {
                throw new IllegalArgumentException("bad attention shape: batch=" + batch + " seqLen=" + seqLen + " heads="
                        + heads + " kvHeads=" + kvHeads + " headDim=" + headDim + " (heads must be a multiple of kvHeads)");
            }
        }

        public int rows() {
            return batch * seqLen;
        }

        int qStride() {
            return heads * headDim;
        }

        int kvStride() {
            return kvHeads * headDim;
        }

        int group() {
            return heads / kvHeads;
        }

        void check(float[] q, float[] k, float[] v, float[] lse) {
            MatMulGrad.checkRange(q, 0, (long) rows() * qStride(), "q");
            MatMulGrad.checkRange(k, 0, (long) rows() * kvStride(), "k");
            MatMulGrad.checkRange(v, 0, (long) rows() * kvStride(), "v");
            MatMulGrad.checkRange(lse, 0, (long) rows() * heads, "lse");
        }
    }

    /** out = softmax(q·kᵀ·scale, causal within each sequence)·v; lse[row][head] = log Σ exp(scores) for the backward. */
    public static void forward(float[] q, float[] k, float[] v, float[] out, float[] lse, Shape s, ThreadPool pool) {
        s.check(q, k, v, lse);
        MatMulGrad.checkRange(out, 0, (long) s.rows() * s.qStride(), "out");
        int hd = s.headDim();
        pool.parallelFor(s.rows() * s.heads(), (i0, i1) -> {
            float[] p = new float[s.seqLen()];
            for (int i = i0; i < i1; i++) {
                int row = i / s.heads(), h = i % s.heads();
                int first = row - row % s.seqLen(); // first row of this sequence
                int keys = row - first + 1;
                int qo = row * s.qStride() + h * hd;
                int kvCol = h / s.group() * hd;
                float max = Float.NEGATIVE_INFINITY;
                for (int j = 0; j < keys; j++) {
                    p[j] = VectorMath.dot(q, qo, k, (first + j) * s.kvStride() + kvCol, hd) * s.scale();
                    max = Math.max(max, p[j]);
                }
                float sum = 0;
                for (int j = 0; j < keys; j++) {
                    p[j] = (float) Math.exp(p[j] - max);
                    sum += p[j];
                }
                Arrays.fill(out, qo, qo + hd, 0f);
                float inv = 1f / sum;
                for (int j = 0; j < keys; j++) {
                    Axpy.add(p[j] * inv, v, (first + j) * s.kvStride() + kvCol, out, qo, hd);
                }
                lse[row * s.heads() + h] = max + (float) Math.log(sum);
            }
        });
    }

    /** dq, dk, dv += the gradients of Σ dOut ⊙ out, given the forward's inputs and lse. */
    public static void backward(float[] q, float[] k, float[] v, float[] lse, float[] dOut,
                                float[] dq, float[] dk, float[] dv, Shape s, ThreadPool pool) {
        s.check(q, k, v, lse);
        MatMulGrad.checkRange(dOut, 0, (long) s.rows() * s.qStride(), "dOut");
        MatMulGrad.checkRange(dq, 0, (long) s.rows() * s.qStride(), "dq");
        MatMulGrad.checkRange(dk, 0, (long) s.rows() * s.kvStride(), "dk");
        MatMulGrad.checkRange(dv, 0, (long) s.rows() * s.kvStride(), "dv");
        pool.parallelFor(s.batch() * s.kvHeads(), (i0, i1) -> {
            float[] p = new float[s.seqLen()];
            float[] dp = new float[s.seqLen()];
            for (int i = i0; i < i1; i++) {
                int b = i / s.kvHeads(), g = i % s.kvHeads();
                for (int h = g * s.group(); h < (g + 1) * s.group(); h++) {
                    for (int t = 0; t < s.seqLen(); t++) {
                        backwardRow(q, k, v, lse, dOut, dq, dk, dv, s, b * s.seqLen(), t, h, p, dp);
                    }
                }
            }
        });
    }

    /** Query position t of the sequence starting at row first, head h; p and dp are scratch of seqLen. */
    private static void backwardRow(float[] q, float[] k, float[] v, float[] lse, float[] dOut,
                                    float[] dq, float[] dk, float[] dv, Shape s, int first, int t, int h, float[] p, float[] dp) {
        int hd = s.headDim();
        int row = first + t;
        int qo = row * s.qStride() + h * hd;
        int kvCol = h / s.group() * hd;
        float rowLse = lse[row * s.heads() + h];
        float dot = 0; // Σ_j p_j dp_j = ⟨dOut, out⟩ of this row and head
        for (int j = 0; j <= t; j++) {
            int kv = (first + j) * s.kvStride() + kvCol;
            p[j] = (float) Math.exp(VectorMath.dot(q, qo, k, kv, hd) * s.scale() - rowLse);
            dp[j] = VectorMath.dot(dOut, qo, v, kv, hd);
            dot += p[j] * dp[j];
        }
        for (int j = 0; j <= t; j++) {
            int kv = (first + j) * s.kvStride() + kvCol;
            float dScore = p[j] * (dp[j] - dot) * s.scale();
            Axpy.add(dScore, k, kv, dq, qo, hd);
            Axpy.add(dScore, q, qo, dk, kv, hd);
            Axpy.add(p[j], dOut, qo, dv, kv, hd);
        }
    }

    /** Scalar twin of {@link #forward} in double. */
    public static void forwardReference(float[] q, float[] k, float[] v, float[] out, float[] lse, Shape s) {
        int hd = s.headDim();
        for (int row = 0; row < s.rows(); row++) {
            int first = row - row % s.seqLen();
            for (int h = 0; h < s.heads(); h++) {
                double[] p = probabilitiesReference(q, k, s, first, row, h);
                for (int d = 0; d < hd; d++) {
                    double acc = 0;
                    for (int j = 0; j < p.length; j++) {
                        acc += p[j] * v[(first + j) * s.kvStride() + h / s.group() * hd + d];
                    }
                    out[row * s.qStride() + h * hd + d] = (float) acc;
                }
                lse[row * s.heads() + h] = (float) logSumExpReference(q, k, s, first, row, h);
            }
        }
    }

    /** Scalar twin of {@link #backward} in double, from probabilities recomputed from scratch. */
    public static void backwardReference(float[] q, float[] k, float[] v, float[] dOut,
                                         float[] dq, float[] dk, float[] dv, Shape s) {
        int hd = s.headDim();
        for (int row = 0; row < s.rows(); row++) {
            int first = row - row % s.seqLen();
            for (int h = 0; h < s.heads(); h++) {
                int qo = row * s.qStride() + h * hd;
                int kvCol = h / s.group() * hd;
                double[] p = probabilitiesReference(q, k, s, first, row, h);
                double[] dp = new double[p.length];
                double dot = 0;
                for (int j = 0; j < p.length; j++) {
                    for (int d = 0; d < hd; d++) {
                        dp[j] += (double) dOut[qo + d] * v[(first + j) * s.kvStride() + kvCol + d];
                    }
                    dot += p[j] * dp[j];
                }
                for (int j = 0; j < p.length; j++) {
                    int kv = (first + j) * s.kvStride() + kvCol;
                    double dScore = p[j] * (dp[j] - dot) * s.scale();
                    for (int d = 0; d < hd; d++) {
                        dq[qo + d] += (float) (dScore * k[kv + d]);
                        dk[kv + d] += (float) (dScore * q[qo + d]);
                        dv[kv + d] += (float) (p[j] * dOut[qo + d]);
                    }
                }
            }
        }
    }

    private static double[] scoresReference(float[] q, float[] k, Shape s, int first, int row, int h) {
        int hd = s.headDim();
        double[] scores = new double[row - first + 1];
        for (int j = 0; j < scores.length; j++) {
            double d = 0;
            for (int x = 0; x < hd; x++) {
                d += (double) q[row * s.qStride() + h * hd + x] * k[(first + j) * s.kvStride() + h / s.group() * hd + x];
            }
            scores[j] = d * s.scale();
        }
        return scores;
    }

    private static double logSumExpReference(float[] q, float[] k, Shape s, int first, int row, int h) {
        double[] scores = scoresReference(q, k, s, first, row, h);
        double max = Double.NEGATIVE_INFINITY;
        for (double x : scores) {
            max = Math.max(max, x);
        }
        double sum = 0;
        for (double x : scores) {
            sum += Math.exp(x - max);
        }
        return max + Math.log(sum);
    }

    private static double[] probabilitiesReference(float[] q, float[] k, Shape s, int first, int row, int h) {
        double[] p = scoresReference(q, k, s, first, row, h);
        double lse = logSumExpReference(q, k, s, first, row, h);
        for (int j = 0; j < p.length; j++) {
            p[j] = Math.exp(p[j] - lse);
        }
        return p;
    }
}
