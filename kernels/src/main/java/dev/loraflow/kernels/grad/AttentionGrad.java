package dev.loraflow.kernels.grad;

import dev.loraflow.kernels.Reproducible;
import dev.loraflow.kernels.ThreadPool;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Causal grouped-query attention for training: a batch of B independent sequences of T positions, laid out
 * q, out [B*T][heads*headDim] and k, v [B*T][kvHeads*headDim]; query head h reads KV head h / (heads/kvHeads).
 *
 * <p>Memory choice: the forward keeps only the log-sum-exp of each (row, head)'s scores, [B*T][heads] floats, not
 * the probabilities (B·heads·T²/2 floats). The backward recomputes each probability as exp(score − lse): one
 * extra q·k product per (query, key) pair, against the dP product and the three products with K, Q and dOut that
 * the backward does there anyway.
 *
 * <p>Both directions run one work item per (sequence, KV head): the item owns that KV head's rows of dK and dV,
 * which all query heads of its group accumulate into (GQA), and those query heads' rows of dQ, so no two threads
 * write the same gradient. All gradients accumulate. Every sum runs in a fixed order (over the head dimension for
 * scores, over keys or queries for the products with V, K, Q and dOut), so results do not depend on threads.
 * The backward keeps the sequence's P and dS for one head at a time (2·T² floats per thread).
 */
public final class AttentionGrad {
    private static final VectorSpecies<Float> F = Lanes.F;

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

    /**
     * out = softmax(q·kᵀ·scale, causal within each sequence)·v; lse[row][head] = log Σ exp(scores) for the backward.
     * One work item per (sequence, KV head): its keys are transposed once so each query row's scores are vectors
     * over keys (no horizontal sums), shared by the group's query heads.
     */
    public static void forward(float[] q, float[] k, float[] v, float[] out, float[] lse, Shape s, ThreadPool pool) {
        s.check(q, k, v, lse);
        MatMulGrad.checkRange(out, 0, (long) s.rows() * s.qStride(), "out");
        int hd = s.headDim(), T = s.seqLen(), tp = padded(T);
        pool.parallelFor(s.batch() * s.kvHeads(), (i0, i1) -> {
            float[] kt = new float[hd * tp];
            float[] p = new float[tp];
            for (int i = i0; i < i1; i++) {
                int first = (i / s.kvHeads()) * T, g = i % s.kvHeads(), kvCol = g * hd;
                transpose(k, first, T, s.kvStride(), kvCol, hd, kt, tp);
                for (int h = g * s.group(); h < (g + 1) * s.group(); h++) {
                    for (int t = 0; t < T; t++) {
                        int row = first + t, qo = row * s.qStride() + h * hd, keys = t + 1;
                        scores(q, qo, kt, tp, keys, hd, p);
                        float max = Float.NEGATIVE_INFINITY;
                        for (int j = 0; j < keys; j++) {
                            p[j] *= s.scale();
                            max = Math.max(max, p[j]);
                        }
                        float sum = exponentiate(p, keys, max);
                        Arrays.fill(out, qo, qo + hd, 0f);
                        accumulateRows(p, 0, 1, keys, v, first * s.kvStride() + kvCol, s.kvStride(), out, qo, hd);
                        float inv = 1f / sum;
                        for (int d = 0; d < hd; d++) {
                            out[qo + d] *= inv;
                        }
                        lse[row * s.heads() + h] = max + (float) Math.log(sum);
                    }
                }
            }
        });
    }

    /**
     * dq, dk, dv += the gradients of Σ dOut ⊙ out, given the forward's inputs and lse. Per (sequence, query head),
     * row by row: the probabilities P and score gradients dS of the row (vectors over keys, as in the forward), then
     * dq; then key by key dk = dSᵀ·q and dv = Pᵀ·dOut, each output row summed in registers.
     */
    public static void backward(float[] q, float[] k, float[] v, float[] lse, float[] dOut,
                                float[] dq, float[] dk, float[] dv, Shape s, ThreadPool pool) {
        s.check(q, k, v, lse);
        MatMulGrad.checkRange(dOut, 0, (long) s.rows() * s.qStride(), "dOut");
        MatMulGrad.checkRange(dq, 0, (long) s.rows() * s.qStride(), "dq");
        MatMulGrad.checkRange(dk, 0, (long) s.rows() * s.kvStride(), "dk");
        MatMulGrad.checkRange(dv, 0, (long) s.rows() * s.kvStride(), "dv");
        int hd = s.headDim(), T = s.seqLen(), tp = padded(T);
        pool.parallelFor(s.batch() * s.kvHeads(), (i0, i1) -> {
            float[] kt = new float[hd * tp], vt = new float[hd * tp];
            float[] probs = new float[T * tp], dScores = new float[T * tp];
            float[] dp = new float[tp];
            for (int i = i0; i < i1; i++) {
                int first = (i / s.kvHeads()) * T, g = i % s.kvHeads(), kvCol = g * hd;
                int kvBase = first * s.kvStride() + kvCol;
                transpose(k, first, T, s.kvStride(), kvCol, hd, kt, tp);
                transpose(v, first, T, s.kvStride(), kvCol, hd, vt, tp);
                for (int h = g * s.group(); h < (g + 1) * s.group(); h++) {
                    int qBase = first * s.qStride() + h * hd;
                    for (int t = 0; t < T; t++) {
                        int row = first + t, qo = qBase + t * s.qStride(), keys = t + 1, at = t * tp;
                        float rowLse = lse[row * s.heads() + h];
                        scores(q, qo, kt, tp, keys, hd, dp);
                        for (int j = 0; j < keys; j++) {
                            probs[at + j] = dp[j] * s.scale() - rowLse;
                        }
                        exponentiate(probs, at, keys);
                        scores(dOut, qo, vt, tp, keys, hd, dp);
                        float dot = 0; // Σ_j p_j dp_j = ⟨dOut, out⟩ of this row and head
                        for (int j = 0; j < keys; j++) {
                            dot += probs[at + j] * dp[j];
                        }
                        for (int j = 0; j < keys; j++) {
                            dScores[at + j] = probs[at + j] * (dp[j] - dot) * s.scale();
                        }
                        accumulateRows(dScores, at, 1, keys, k, kvBase, s.kvStride(), dq, qo, hd);
                    }
                    for (int j = 0; j < T; j++) {
                        int kvo = kvBase + j * s.kvStride(), count = T - j;
                        accumulateRows(dScores, j * tp + j, tp, count, q, qBase + j * s.qStride(), s.qStride(), dk, kvo, hd);
                        accumulateRows(probs, j * tp + j, tp, count, dOut, qBase + j * s.qStride(), s.qStride(), dv, kvo, hd);
                    }
                }
            }
        });
    }

    /** Keys per row rounded up to whole vectors, so score loops need no tails. */
    private static int padded(int seqLen) {
        return Lanes.blocks(seqLen, F.length()) * F.length();
    }

    /** dst[d·tp + j] = src[(first + j)·stride + col + d] for j < T, d < hd (dst's padding stays zero). */
    private static void transpose(float[] src, int first, int seqLen, int stride, int col, int hd, float[] dst, int tp) {
        for (int j = 0; j < seqLen; j++) {
            int o = (first + j) * stride + col;
            for (int d = 0; d < hd; d++) {
                dst[d * tp + j] = src[o + d];
            }
        }
    }

    /**
     * out[j] = Σ_d x[xo + d]·kt[d·tp + j] for j < keys rounded up to a vector (lanes past keys hold unused
     * values): each lane's sum runs over d in order, four vectors of keys per pass.
     */
    static void scores(float[] x, int xo, float[] kt, int tp, int keys, int hd, float[] out) {
        int lanes = F.length(), end = Lanes.blocks(keys, lanes) * lanes, j = 0;
        for (; j + 4 * lanes <= end; j += 4 * lanes) {
            FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
            for (int d = 0; d < hd; d++) {
                FloatVector xd = FloatVector.broadcast(F, x[xo + d]);
                int o = d * tp + j;
                a0 = FloatVector.fromArray(F, kt, o).fma(xd, a0);
                a1 = FloatVector.fromArray(F, kt, o + lanes).fma(xd, a1);
                a2 = FloatVector.fromArray(F, kt, o + 2 * lanes).fma(xd, a2);
                a3 = FloatVector.fromArray(F, kt, o + 3 * lanes).fma(xd, a3);
            }
            a0.intoArray(out, j);
            a1.intoArray(out, j + lanes);
            a2.intoArray(out, j + 2 * lanes);
            a3.intoArray(out, j + 3 * lanes);
        }
        for (; j < end; j += lanes) {
            FloatVector a = FloatVector.zero(F);
            for (int d = 0; d < hd; d++) {
                a = FloatVector.fromArray(F, kt, d * tp + j).fma(FloatVector.broadcast(F, x[xo + d]), a);
            }
            a.intoArray(out, j);
        }
    }

    /** p[j] = exp(p[j] - max) for j < keys; returns their sum, added in order. */
    private static float exponentiate(float[] p, int keys, float max) {
        for (int j = 0; j < keys; j++) {
            p[j] -= max;
        }
        exponentiate(p, 0, keys);
        float sum = 0;
        for (int j = 0; j < keys; j++) {
            sum += p[j];
        }
        return sum;
    }

    /** p[at + j] = e^p[at + j] for j < count ({@link Reproducible#exp}: the same bits in every execution tier). */
    private static void exponentiate(float[] p, int at, int count) {
        int j = 0;
        for (int bound = F.loopBound(count); j < bound; j += F.length()) {
            Reproducible.exp(FloatVector.fromArray(F, p, at + j)).intoArray(p, at + j);
        }
        for (; j < count; j++) {
            p[at + j] = Reproducible.exp(p[at + j]);
        }
    }

    /**
     * dst[dstOff + d] += Σ_i c[cOff + i·cStride] · src[srcOff + i·srcStride + d] for d < hd, i < count: each output
     * vector is summed in a register over i in order and stored once.
     */
    static void accumulateRows(float[] c, int cOff, int cStride, int count, float[] src, int srcOff, int srcStride,
                               float[] dst, int dstOff, int hd) {
        int lanes = F.length(), d = 0;
        for (; d + 4 * lanes <= hd; d += 4 * lanes) {
            int o = dstOff + d;
            FloatVector a0 = FloatVector.fromArray(F, dst, o), a1 = FloatVector.fromArray(F, dst, o + lanes);
            FloatVector a2 = FloatVector.fromArray(F, dst, o + 2 * lanes), a3 = FloatVector.fromArray(F, dst, o + 3 * lanes);
            for (int i = 0; i < count; i++) {
                FloatVector ci = FloatVector.broadcast(F, c[cOff + i * cStride]);
                int so = srcOff + i * srcStride + d;
                a0 = FloatVector.fromArray(F, src, so).fma(ci, a0);
                a1 = FloatVector.fromArray(F, src, so + lanes).fma(ci, a1);
                a2 = FloatVector.fromArray(F, src, so + 2 * lanes).fma(ci, a2);
                a3 = FloatVector.fromArray(F, src, so + 3 * lanes).fma(ci, a3);
            }
            a0.intoArray(dst, o);
            a1.intoArray(dst, o + lanes);
            a2.intoArray(dst, o + 2 * lanes);
            a3.intoArray(dst, o + 3 * lanes);
        }
        for (; d + lanes <= hd; d += lanes) {
            FloatVector a = FloatVector.fromArray(F, dst, dstOff + d);
            for (int i = 0; i < count; i++) {
                a = FloatVector.fromArray(F, src, srcOff + i * srcStride + d).fma(FloatVector.broadcast(F, c[cOff + i * cStride]), a);
            }
            a.intoArray(dst, dstOff + d);
        }
        for (; d < hd; d++) {
            float a = dst[dstOff + d];
            for (int i = 0; i < count; i++) {
                a = Math.fma(src[srcOff + i * srcStride + d], c[cOff + i * cStride], a);
            }
            dst[dstOff + d] = a;
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
