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
 * <p>Blocked, with an online softmax: a work item is one KV head and a block of {@link #QUERY_BLOCK} query rows
 * (decode: one row). It walks the keys in blocks of {@link #KEY_BLOCK}; each key block is copied transposed,
 * [headDim][key], so that every query head of the group and every row of the block scores a vector of keys per
 * broadcast FMA, with no horizontal sums. Each (row, head) keeps a running maximum, a running sum of exponentials
 * and an unnormalised output, rescaled whenever a block raises the maximum; the output is divided by the sum at the
 * end. Memory per worker is a few blocks, whatever the context length. Why blocked: one dot product per
 * (query, key), each ending in a lane sum, cost about 30 ns apiece and made attention a tenth of a 128-token
 * prefill. Key blocks start at key 0 for every row, so a token's output is the same bits whether it is decoded
 * alone or within a prefill block.
 */
public final class Attention {
    /** Scratch slot of {@link ThreadPool#scratch} holding two heads' scores of one key block. */
    static final int SCRATCH_SLOT = 1;
    /** Scratch slot holding a key block, transposed. */
    static final int KEYS_SLOT = 5;
    /** Scratch slot holding an item's running state: per (row, head) the output so far, then maxima and sums. */
    static final int STATE_SLOT = 6;
    /** Query rows per work item: they share each transposed key block. */
    static final int QUERY_BLOCK = 16;
    private static final VectorSpecies<Float> F = Simd.F;
    private static final int L = Simd.LANES;
    /** Keys per block: four vectors of scores. */
    private static final int KEY_BLOCK = 4 * L;

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
            int group = heads / kvHeads;
            float[] scores = pool.scratch(SCRATCH_SLOT, 2 * KEY_BLOCK); // a pair of heads' scores
            float[] keysT = pool.scratch(KEYS_SLOT, headDim * KEY_BLOCK);
            int states = QUERY_BLOCK * group;
            float[] state = pool.scratch(STATE_SLOT, states * (headDim + 2)); // outputs, then maxima, then sums
            int maxima = states * headDim, sums = maxima + states;
            int blocks = MatMul.blocks(n, QUERY_BLOCK);
            for (int i = i0; i < i1; i++) {
                int block = blocks - 1 - i / kvHeads; // latest rows first: the costliest items are claimed first
                int kvHead = i % kvHeads, kvCol = kvHead * headDim, firstHead = kvHead * group;
                int t0 = block * QUERY_BLOCK, t1 = Math.min(n, t0 + QUERY_BLOCK);
                int used = (t1 - t0) * group;
                Arrays.fill(state, 0, used * headDim, 0f);
                Arrays.fill(state, maxima, maxima + used, Float.NEGATIVE_INFINITY);
                Arrays.fill(state, sums, sums + used, 0f);
                for (int k0 = 0; k0 < start + t1; k0 += KEY_BLOCK) {
                    int blockKeys = Math.min(KEY_BLOCK, start + t1 - k0);
                    transposeKeys(kCache, kvStride, kvCol, k0, blockKeys, headDim, keysT);
                    for (int t = Math.max(t0, k0 - start); t < t1; t++) { // rows before k0 - start see none of these keys
                        int visible = Math.min(blockKeys, start + t + 1 - k0);
                        for (int h = 0; h < group; h += 2) { // heads in pairs: see scorePair
                            int s = (t - t0) * group + h;
                            int qRow = qOff + (t * heads + firstHead + h) * headDim;
                            if (h + 1 == group) { // the last head of an odd group
                                scores(q, qRow, keysT, visible, headDim, scale, scores, 0);
                                float raise = rescale(state, maxima + s, sums + s, scores, 0, visible);
                                accumulateValues(scores, 0, visible, raise, vCache, kvStride, k0, kvCol, headDim, state, s * headDim);
                                continue;
                            }
                            scorePair(q, qRow, keysT, visible, headDim, scale, scores);
                            float raise = rescale(state, maxima + s, sums + s, scores, 0, visible);
                            float nextRaise = rescale(state, maxima + s + 1, sums + s + 1, scores, KEY_BLOCK, visible);
                            accumulatePair(scores, visible, raise, nextRaise, vCache, kvStride, k0, kvCol, headDim, state, s * headDim);
                        }
                    }
                }
                for (int t = t0; t < t1; t++) {
                    for (int h = 0; h < group; h++) {
                        int s = (t - t0) * group + h;
                        normalise(state, s * headDim, 1f / state[sums + s], out, outOff + (t * heads + firstHead + h) * headDim, headDim);
                    }
                }
            }
        }
    }

    /** out[o + j] = acc[a + j]·inv for j < headDim. */
    private static void normalise(float[] acc, int a, float inv, float[] out, int o, int headDim) {
        for (int c = 0; c < headDim; c += L) {
            VectorMask<Float> part = F.indexInRange(c, headDim);
            FloatVector.fromArray(F, acc, a + c, part).mul(inv).intoArray(out, o + c, part);
        }
    }

    /** Keys rounded up to whole vectors. */
    private static int padded(int keys) {
        return MatMul.blocks(keys, L) * L;
    }

    /**
     * keysT[j·KEY_BLOCK + p] = K[k0 + p][kvCol + j] for p < count. Columns [count, KEY_BLOCK) keep stale values: the
     * scores computed from them are overwritten by {@link #scores}.
     */
    static void transposeKeys(float[] kCache, int kvStride, int kvCol, int k0, int count, int headDim, float[] keysT) {
        for (int p = 0; p < count; p++) {
            for (int j = 0, from = (k0 + p) * kvStride + kvCol; j < headDim; j++) {
                keysT[j * KEY_BLOCK + p] = kCache[from + j];
            }
        }
    }

    /**
     * scores[at + p] = scale · Σ_j q[qRow + j]·K[p][j] (an FMA chain over j) for p < keys, four vectors of keys at a
     * time; the rest of the last vector is set to -∞ so it weighs nothing.
     */
    static void scores(float[] q, int qRow, float[] keysT, int keys, int headDim, float scale, float[] scores, int at) {
        int end = padded(keys);
        if (end == KEY_BLOCK) {
            FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
            for (int j = 0; j < headDim; j++) {
                FloatVector qj = FloatVector.broadcast(F, q[qRow + j]);
                int r = j * KEY_BLOCK;
                a0 = FloatVector.fromArray(F, keysT, r).fma(qj, a0);
                a1 = FloatVector.fromArray(F, keysT, r + L).fma(qj, a1);
                a2 = FloatVector.fromArray(F, keysT, r + 2 * L).fma(qj, a2);
                a3 = FloatVector.fromArray(F, keysT, r + 3 * L).fma(qj, a3);
            }
            a0.mul(scale).intoArray(scores, at);
            a1.mul(scale).intoArray(scores, at + L);
            a2.mul(scale).intoArray(scores, at + 2 * L);
            a3.mul(scale).intoArray(scores, at + 3 * L);
        } else {
            for (int p = 0; p < end; p += L) {
                FloatVector a = FloatVector.zero(F);
                for (int j = 0; j < headDim; j++) {
                    a = FloatVector.fromArray(F, keysT, j * KEY_BLOCK + p).fma(FloatVector.broadcast(F, q[qRow + j]), a);
                }
                a.mul(scale).intoArray(scores, at + p);
            }
        }
        Arrays.fill(scores, at + keys, at + end, Float.NEGATIVE_INFINITY);
    }

    /**
     * {@link #scores} of two adjacent query heads (rows qRow and qRow + headDim) into scores[0 ..] and
     * scores[KEY_BLOCK ..], sharing each key load between them when the keys fill the block's four vectors. Why: one head's four chains
     * of dependent FMAs run at half the FMA rate (an FMA's latency is four cycles, two issue per cycle); eight
     * keep both units busy. Each score is the same chain as {@link #scores} gives, so the bits are too.
     */
    static void scorePair(float[] q, int qRow, float[] keysT, int keys, int headDim, float scale, float[] scores) {
        if (padded(keys) != KEY_BLOCK) {
            scores(q, qRow, keysT, keys, headDim, scale, scores, 0);
            scores(q, qRow + headDim, keysT, keys, headDim, scale, scores, KEY_BLOCK);
            return;
        }
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
        for (int j = 0; j < headDim; j++) {
            FloatVector qa = FloatVector.broadcast(F, q[qRow + j]);
            FloatVector qb = FloatVector.broadcast(F, q[qRow + headDim + j]);
            int r = j * KEY_BLOCK;
            FloatVector k0 = FloatVector.fromArray(F, keysT, r);
            FloatVector k1 = FloatVector.fromArray(F, keysT, r + L);
            FloatVector k2 = FloatVector.fromArray(F, keysT, r + 2 * L);
            FloatVector k3 = FloatVector.fromArray(F, keysT, r + 3 * L);
            a0 = k0.fma(qa, a0);
            a1 = k1.fma(qa, a1);
            a2 = k2.fma(qa, a2);
            a3 = k3.fma(qa, a3);
            b0 = k0.fma(qb, b0);
            b1 = k1.fma(qb, b1);
            b2 = k2.fma(qb, b2);
            b3 = k3.fma(qb, b3);
        }
        a0.mul(scale).intoArray(scores, 0);
        a1.mul(scale).intoArray(scores, L);
        a2.mul(scale).intoArray(scores, 2 * L);
        a3.mul(scale).intoArray(scores, 3 * L);
        b0.mul(scale).intoArray(scores, KEY_BLOCK);
        b1.mul(scale).intoArray(scores, KEY_BLOCK + L);
        b2.mul(scale).intoArray(scores, KEY_BLOCK + 2 * L);
        b3.mul(scale).intoArray(scores, KEY_BLOCK + 3 * L);
        Arrays.fill(scores, keys, KEY_BLOCK, Float.NEGATIVE_INFINITY);
        Arrays.fill(scores, KEY_BLOCK + keys, 2 * KEY_BLOCK, Float.NEGATIVE_INFINITY);
    }

    /**
     * The online softmax's step for one key block (scores from index at): raises the running maximum state[max] to
     * cover the block, replaces scores[at + p] by e^(scores[at + p] - max) (lanes past keys become 0), sets state[sum] = state[sum]·raise + their
     * sum (lane sums added in lane order), and returns raise = e^(old max - new max), the factor the output so far
     * must be scaled by (0 for the first block). Every exponent is ≤ 0, so nothing overflows.
     */
    static float rescale(float[] state, int max, int sum, float[] scores, int at, int keys) {
        int end = at + padded(keys);
        FloatVector m = FloatVector.broadcast(F, state[max]);
        for (int p = at; p < end; p += L) {
            m = FloatVector.fromArray(F, scores, p).max(m); // fresh receiver: see VectorMath.max
        }
        float newMax = m.reduceLanes(VectorOperators.MAX);
        float raise = (float) Math.exp(state[max] - newMax);
        state[max] = newMax;
        FloatVector acc = FloatVector.zero(F);
        for (int p = at; p < end; p += L) {
            VectorMath.exp(scores, p, 1f, newMax, scores, p);
            acc = FloatVector.fromArray(F, scores, p).add(acc);
        }
        float blockSum = 0f;
        for (int lane = 0; lane < L; lane++) {
            blockSum += acc.lane(lane);
        }
        state[sum] = state[sum] * raise + blockSum;
        return raise;
    }

    /**
     * acc[o + j] = raise·acc[o + j] + Σ_{p < keys} weights[w + p]·V[k0 + p][kvCol + j] for j < headDim: up to four
     * vectors of j per pass over the keys.
     */
    static void accumulateValues(float[] weights, int w, int keys, float raise, float[] vCache, int kvStride, int k0,
                                 int kvCol, int headDim, float[] acc, int o) {
        int c = 0;
        for (; c + 4 * L <= headDim; c += 4 * L) {
            FloatVector a0 = FloatVector.fromArray(F, acc, o + c).mul(raise);
            FloatVector a1 = FloatVector.fromArray(F, acc, o + c + L).mul(raise);
            FloatVector a2 = FloatVector.fromArray(F, acc, o + c + 2 * L).mul(raise);
            FloatVector a3 = FloatVector.fromArray(F, acc, o + c + 3 * L).mul(raise);
            for (int p = 0; p < keys; p++) {
                FloatVector s = FloatVector.broadcast(F, weights[w + p]);
                int r = (k0 + p) * kvStride + kvCol + c;
                a0 = FloatVector.fromArray(F, vCache, r).fma(s, a0);
                a1 = FloatVector.fromArray(F, vCache, r + L).fma(s, a1);
                a2 = FloatVector.fromArray(F, vCache, r + 2 * L).fma(s, a2);
                a3 = FloatVector.fromArray(F, vCache, r + 3 * L).fma(s, a3);
            }
            a0.intoArray(acc, o + c);
            a1.intoArray(acc, o + c + L);
            a2.intoArray(acc, o + c + 2 * L);
            a3.intoArray(acc, o + c + 3 * L);
        }
        for (; c < headDim; c += L) {
            VectorMask<Float> part = F.indexInRange(c, headDim);
            FloatVector a = FloatVector.fromArray(F, acc, o + c, part).mul(raise);
            for (int p = 0; p < keys; p++) {
                a = FloatVector.fromArray(F, vCache, (k0 + p) * kvStride + kvCol + c, part).fma(FloatVector.broadcast(F, weights[w + p]), a);
            }
            a.intoArray(acc, o + c, part);
        }
    }

    /**
     * {@link #accumulateValues} of two adjacent states (outputs at o and o + headDim, weights at 0 and KEY_BLOCK, as
     * {@link #scorePair} leaves them) sharing each value load, for the reason given there; the same chains, so the
     * same bits. Head sizes that are not whole multiples of four vectors go one state at a time.
     */
    static void accumulatePair(float[] weights, int keys, float raise, float nextRaise, float[] vCache, int kvStride,
                               int k0, int kvCol, int headDim, float[] acc, int o) {
        if (headDim % (4 * L) != 0) {
            accumulateValues(weights, 0, keys, raise, vCache, kvStride, k0, kvCol, headDim, acc, o);
            accumulateValues(weights, KEY_BLOCK, keys, nextRaise, vCache, kvStride, k0, kvCol, headDim, acc, o + headDim);
            return;
        }
        int o2 = o + headDim;
        for (int c = 0; c < headDim; c += 4 * L) {
            FloatVector a0 = FloatVector.fromArray(F, acc, o + c).mul(raise);
            FloatVector a1 = FloatVector.fromArray(F, acc, o + c + L).mul(raise);
            FloatVector a2 = FloatVector.fromArray(F, acc, o + c + 2 * L).mul(raise);
            FloatVector a3 = FloatVector.fromArray(F, acc, o + c + 3 * L).mul(raise);
            FloatVector b0 = FloatVector.fromArray(F, acc, o2 + c).mul(nextRaise);
            FloatVector b1 = FloatVector.fromArray(F, acc, o2 + c + L).mul(nextRaise);
            FloatVector b2 = FloatVector.fromArray(F, acc, o2 + c + 2 * L).mul(nextRaise);
            FloatVector b3 = FloatVector.fromArray(F, acc, o2 + c + 3 * L).mul(nextRaise);
            for (int p = 0; p < keys; p++) {
                FloatVector s = FloatVector.broadcast(F, weights[p]);
                FloatVector u = FloatVector.broadcast(F, weights[KEY_BLOCK + p]);
                int r = (k0 + p) * kvStride + kvCol + c;
                FloatVector v0 = FloatVector.fromArray(F, vCache, r);
                FloatVector v1 = FloatVector.fromArray(F, vCache, r + L);
                FloatVector v2 = FloatVector.fromArray(F, vCache, r + 2 * L);
                FloatVector v3 = FloatVector.fromArray(F, vCache, r + 3 * L);
                a0 = v0.fma(s, a0);
                a1 = v1.fma(s, a1);
                a2 = v2.fma(s, a2);
                a3 = v3.fma(s, a3);
                b0 = v0.fma(u, b0);
                b1 = v1.fma(u, b1);
                b2 = v2.fma(u, b2);
                b3 = v3.fma(u, b3);
            }
            a0.intoArray(acc, o + c);
            a1.intoArray(acc, o + c + L);
            a2.intoArray(acc, o + c + 2 * L);
            a3.intoArray(acc, o + c + 3 * L);
            b0.intoArray(acc, o2 + c);
            b1.intoArray(acc, o2 + c + L);
            b2.intoArray(acc, o2 + c + 2 * L);
            b3.intoArray(acc, o2 + c + 3 * L);
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
