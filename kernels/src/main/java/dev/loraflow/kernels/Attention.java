package dev.loraflow.kernels;

import java.util.Arrays;

/**
 * Causal grouped-query attention for n new query rows at absolute positions start..start+n-1, attending keys
 * 0..start+t. q: [n][heads*headDim] at qOff; kCache/vCache: [ctx][kvHeads*headDim] with positions 0..start+n-1
 * filled; out: [n][heads*headDim] at outOff. Query head h reads KV head h / (heads/kvHeads).
 *
 * <p>Each (query row, head) is one work item: scores into per-worker scratch, a stable softmax, then the weighted
 * sum of value rows straight into out.
 */
public final class Attention {
    /** Scratch slot of {@link ThreadPool#scratch} holding one row of scores. */
    static final int SCRATCH_SLOT = 1;

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
            pool.parallelFor(n * heads, task);
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
            // Sized to the whole cache, not to start + n, so the buffer does not grow (and allocate) as decode advances.
            int keys = Math.max(start + n, kCache.length / (kvHeads * headDim));
            float[] scores = pool.scratch(SCRATCH_SLOT, keys);
            for (int i = i0; i < i1; i++) {
                one(q, qOff, kCache, vCache, out, outOff, start, i / heads, i % heads, heads, kvHeads, headDim, scale, scores);
            }
        }
    }

    private static void one(float[] q, int qOff, float[] kCache, float[] vCache, float[] out, int outOff,
                            int start, int t, int h, int heads, int kvHeads, int headDim, float scale, float[] scores) {
        int qRow = qOff + (t * heads + h) * headDim;
        int kvStride = kvHeads * headDim;
        int kvCol = h / (heads / kvHeads) * headDim;
        int keys = start + t + 1;
        for (int p = 0; p < keys; p++) {
            scores[p] = VectorMath.dot(q, qRow, kCache, p * kvStride + kvCol, headDim) * scale;
        }
        VectorMath.softmaxInPlace(scores, 0, keys);
        int o = outOff + (t * heads + h) * headDim;
        Arrays.fill(out, o, o + headDim, 0f);
        for (int p = 0; p < keys; p++) {
            VectorMath.axpy(scores[p], vCache, p * kvStride + kvCol, out, o, headDim);
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
