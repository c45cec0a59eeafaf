package dev.loraflow.kernels;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Causal grouped-query attention for n new query rows at absolute positions start..start+n-1, attending keys
 * 0..start+t. q: [n][heads*headDim] at qOff; kCache/vCache: [ctx][kvHeads*headDim] with positions 0..start+n-1
 * filled; out: [n][heads*headDim] at outOff. Query head h reads KV head h / (heads/kvHeads).
 *
 * <p>A work item is one KV head and a block of {@link #QUERY_BLOCK} query rows (decode: one row). It copies the
 * keys its rows can see transposed, [headDim][key], so that every query head of the group and every row of the
 * block computes its scores a vector of keys at a time, with broadcast FMAs and no horizontal sums; then a stable
 * softmax and the weighted sum of value rows, headDim in up to four vector accumulators. Why: one dot product per
 * (query, key), each ending in a lane sum, cost about 30 ns apiece and made attention a tenth of a 128-token
 * prefill. A row's arithmetic depends only on its own keys, so a token's output is the same bits whether it is
 * decoded alone or within a prefill block.
 */
public final class Attention {
    /** Scratch slot of {@link ThreadPool#scratch} holding one row of scores. */
    static final int SCRATCH_SLOT = 1;
    /** Scratch slot holding an item's transposed keys. */
    static final int KEYS_SLOT = 5;
    /** Query rows per work item: they share one transposed copy of their KV head's keys. */
    static final int QUERY_BLOCK = 16;
    private static final VectorSpecies<Float> F = Simd.F;
    private static final int L = Simd.LANES;

    private Attention() {}

    /** Each thread's reusable task, so a call allocates nothing (as in {@link MatMul}). */
    private static final ThreadLocal<Task> TASKS = ThreadLocal.withInitial(Task::new);

    public static void causal(float[] q, int qOff, float[] kCache, float[] vCache, float[] out, int outOff,
                              int start, int n, int heads, int kvHeads, int headDim, float scale, ThreadPool pool) {
        checkShape(heads, kvHeads);
        Task mine = TASKS.get();
        Task task = mine.busy ? new Task() : mine;
        task.q = q;
        task.qOff = qOff;
        task.kCache = kCache;
        task.vCache = vCache;
        task.out = out;
        task.outOff = outOff;
        task.start = start;
        task.n = n;
        task.heads = heads;
        task.kvHeads = kvHeads;
        task.headDim = headDim;
        task.scale = scale;
        task.pool = pool;
        task.busy = true;
        try {
            pool.parallelFor(kvHeads * MatMul.blocks(n, QUERY_BLOCK), task);
        } finally {
            task.q = task.kCache = task.vCache = task.out = null; // do not keep the caller's arrays reachable
            task.pool = null;
            task.busy = false;
        }
    }

    /** The work items of one call, operands set per call (a capturing lambda would be a new object every call). */
    private static final class Task implements RangeTask {
        float[] q, kCache, vCache, out;
        int qOff, outOff, start, n, heads, kvHeads, headDim;
        float scale;
        ThreadPool pool;
        boolean busy;

        @Override
        public void run(int i0, int i1) {
            int kvStride = kvHeads * headDim;
            // Sized to the whole cache, not to start + n, so the buffers do not grow (and allocate) as decode advances.
            int capacity = padded(Math.max(start + n, kCache.length / kvStride));
            float[] scores = pool.scratch(SCRATCH_SLOT, capacity);
            float[] keysT = pool.scratch(KEYS_SLOT, headDim * capacity);
            int blocks = MatMul.blocks(n, QUERY_BLOCK);
            int group = heads / kvHeads;
            for (int i = i0; i < i1; i++) {
                int block = blocks - 1 - i / kvHeads; // latest rows first: the costliest items are claimed first
                int kvCol = (i % kvHeads) * headDim;
                int t0 = block * QUERY_BLOCK, t1 = Math.min(n, t0 + QUERY_BLOCK);
                int stride = padded(start + t1);
                transposeKeys(kCache, kvStride, kvCol, start + t1, headDim, keysT, stride);
                for (int t = t0; t < t1; t++) {
                    int keys = start + t + 1;
                    for (int h = kvCol / headDim * group; h < (kvCol / headDim + 1) * group; h++) {
                        int row = (t * heads + h) * headDim;
                        scores(q, qOff + row, keysT, stride, keys, headDim, scale, scores);
                        float sum = softmaxNumerators(scores, keys);
                        weightedValues(scores, keys, 1f / sum, vCache, kvStride, kvCol, headDim, out, outOff + row);
                    }
                }
            }
        }
    }

    /** Keys rounded up to whole vectors. */
    private static int padded(int keys) {
        return MatMul.blocks(keys, L) * L;
    }

    /**
     * keysT[j·stride + p] = K[p][kvCol + j] for p < keys. Columns [keys, stride) keep stale values: the scores
     * computed from them are overwritten by {@link #scores}.
     */
    static void transposeKeys(float[] kCache, int kvStride, int kvCol, int keys, int headDim, float[] keysT, int stride) {
        for (int p = 0; p < keys; p++) {
            for (int j = 0, from = p * kvStride + kvCol; j < headDim; j++) {
                keysT[j * stride + p] = kCache[from + j];
            }
        }
    }

    /**
     * scores[p] = scale · Σ_j q[qRow + j]·K[p][j] (an FMA chain over j) for p < keys, four vectors of keys at a
     * time; the rest of the last vector is set to -∞ so it weighs nothing.
     */
    static void scores(float[] q, int qRow, float[] keysT, int stride, int keys, int headDim, float scale, float[] scores) {
        int end = padded(keys);
        int p = 0;
        for (; p + 4 * L <= end; p += 4 * L) {
            FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
            for (int j = 0; j < headDim; j++) {
                FloatVector qj = FloatVector.broadcast(F, q[qRow + j]);
                int r = j * stride + p;
                a0 = FloatVector.fromArray(F, keysT, r).fma(qj, a0);
                a1 = FloatVector.fromArray(F, keysT, r + L).fma(qj, a1);
                a2 = FloatVector.fromArray(F, keysT, r + 2 * L).fma(qj, a2);
                a3 = FloatVector.fromArray(F, keysT, r + 3 * L).fma(qj, a3);
            }
            a0.mul(scale).intoArray(scores, p);
            a1.mul(scale).intoArray(scores, p + L);
            a2.mul(scale).intoArray(scores, p + 2 * L);
            a3.mul(scale).intoArray(scores, p + 3 * L);
        }
        for (; p < end; p += L) {
            FloatVector a = FloatVector.zero(F);
            for (int j = 0; j < headDim; j++) {
                a = FloatVector.fromArray(F, keysT, j * stride + p).fma(FloatVector.broadcast(F, q[qRow + j]), a);
            }
            a.mul(scale).intoArray(scores, p);
        }
        Arrays.fill(scores, keys, end, Float.NEGATIVE_INFINITY);
    }

    /**
     * scores[p] = e^(scores[p] - max) over the padded row (lanes past keys become 0); returns their sum, lane sums
     * added in lane order. Every exponent is ≤ 0, so nothing overflows.
     */
    static float softmaxNumerators(float[] scores, int keys) {
        int end = padded(keys);
        FloatVector m = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
        for (int p = 0; p < end; p += L) {
            m = FloatVector.fromArray(F, scores, p).max(m); // fresh receiver: see VectorMath.max
        }
        float max = m.reduceLanes(VectorOperators.MAX);
        FloatVector acc = FloatVector.zero(F);
        for (int p = 0; p < end; p += L) {
            VectorMath.exp(scores, p, 1f, max, scores, p);
            acc = FloatVector.fromArray(F, scores, p).add(acc);
        }
        float sum = 0f;
        for (int lane = 0; lane < L; lane++) {
            sum += acc.lane(lane);
        }
        return sum;
    }

    /** out[o + j] = inv · Σ_p scores[p]·V[p][kvCol + j] for j < headDim: up to four vectors of j per pass over the keys. */
    static void weightedValues(float[] scores, int keys, float inv, float[] vCache, int kvStride, int kvCol, int headDim,
                               float[] out, int o) {
        int c = 0;
        for (; c + 4 * L <= headDim; c += 4 * L) {
            FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
            for (int p = 0; p < keys; p++) {
                FloatVector s = FloatVector.broadcast(F, scores[p]);
                int r = p * kvStride + kvCol + c;
                a0 = FloatVector.fromArray(F, vCache, r).fma(s, a0);
                a1 = FloatVector.fromArray(F, vCache, r + L).fma(s, a1);
                a2 = FloatVector.fromArray(F, vCache, r + 2 * L).fma(s, a2);
                a3 = FloatVector.fromArray(F, vCache, r + 3 * L).fma(s, a3);
            }
            a0.mul(inv).intoArray(out, o + c);
            a1.mul(inv).intoArray(out, o + c + L);
            a2.mul(inv).intoArray(out, o + c + 2 * L);
            a3.mul(inv).intoArray(out, o + c + 3 * L);
        }
        for (; c < headDim; c += L) {
            VectorMask<Float> part = F.indexInRange(c, headDim);
            FloatVector a = FloatVector.zero(F);
            for (int p = 0; p < keys; p++) {
                a = FloatVector.fromArray(F, vCache, p * kvStride + kvCol + c, part).fma(FloatVector.broadcast(F, scores[p]), a);
            }
            a.mul(inv).intoArray(out, o + c, part);
        }
    }

    public static void causalReference(float[] q, int qOff, float[] kCache, float[] vCache, float[] out, int outOff,
                                       int start, int n, int heads, int kvHeads, int headDim, float scale) {
        checkShape(heads, kvHeads);
        int kvStride = kvHeads * headDim;
        int group = heads / kvHeads;
        for (int t = 0; t < n; t++) {
            int keys = start + t + 1;
            double[] s = new double[keys];
            for (int h = 0; h < heads; h++) {
                int qRow = qOff + (t * heads + h) * headDim;
                int kvCol = h / group * headDim;
                double max = Double.NEGATIVE_INFINITY;
                for (int p = 0; p < keys; p++) {
                    double d = 0;
                    for (int j = 0; j < headDim; j++) {
                        d += (double) q[qRow + j] * kCache[p * kvStride + kvCol + j];
                    }
                    s[p] = d * scale;
                    max = Math.max(max, s[p]);
                }
                double sum = 0;
                for (int p = 0; p < keys; p++) {
                    s[p] = Math.exp(s[p] - max);
                    sum += s[p];
                }
                for (int j = 0; j < headDim; j++) {
                    double acc = 0;
                    for (int p = 0; p < keys; p++) {
                        acc += s[p] * vCache[p * kvStride + kvCol + j];
                    }
                    out[outOff + (t * heads + h) * headDim + j] = (float) (acc / sum);
                }
            }
        }
    }

    private static void checkShape(int heads, int kvHeads) {
        if (kvHeads <= 0 || heads % kvHeads != 0) {
            throw new IllegalArgumentException("heads (" + heads + ") must be a positive multiple of kvHeads (" + kvHeads + ")");
        }
    }
}
