package dev.loraflow.model.generate;

import java.util.SplittableRandom;

/**
 * Picks the next token from logits: repetition penalty, then temperature, top-k, top-p and min-p
 * (HuggingFace's order), then a draw from a seeded generator. Buffers are reused across calls.
 */
public final class Sampler {
    private final SamplingParams params;
    private final SplittableRandom random;
    private final float[] probs;
    private final long[] order;
    private final boolean[] seen;

    public Sampler(SamplingParams params, int vocabSize) {
        this.params = params;
        this.random = new SplittableRandom(params.seed());
        this.probs = new float[vocabSize];
        this.order = new long[vocabSize];
        this.seen = new boolean[vocabSize];
    }

    /** Records a token of the context (prompt or generated) for the repetition penalty. */
    public void observe(int token) {
        if (token >= 0 && token < seen.length) {
            seen[token] = true;
        }
    }

    /** Chooses a token; modifies {@code logits} in place. */
    public int sample(float[] logits) {
        int vocab = probs.length;
        if (params.repetitionPenalty() != 1f) {
            float p = params.repetitionPenalty();
            for (int i = 0; i < vocab; i++) {
                if (seen[i]) {
                    logits[i] = logits[i] > 0 ? logits[i] / p : logits[i] * p;
                }
            }
        }
        if (params.isGreedy()) {
            return argmax(logits, vocab);
        }
        float max = logits[argmax(logits, vocab)];
        double sum = 0;
        for (int i = 0; i < vocab; i++) {
            float e = (float) Math.exp((logits[i] - max) / params.temperature());
            probs[i] = e;
            sum += e;
        }
        for (int i = 0; i < vocab; i++) {
            probs[i] /= (float) sum;
        }
        boolean filtered = params.topK() > 0 || params.topP() < 1f || params.minP() > 0f;
        return filtered ? sampleFiltered(vocab) : draw(vocab);
    }

    static int argmax(float[] logits, int n) {
        int best = 0;
        for (int i = 1; i < n; i++) {
            if (logits[i] > logits[best]) {
                best = i;
            }
        }
        return best;
    }

    private int draw(int vocab) {
        double r = random.nextDouble();
        double acc = 0;
        for (int i = 0; i < vocab; i++) {
            acc += probs[i];
            if (r < acc) {
                return i;
            }
        }
        return argmax(probs, vocab);
    }

    /**
     * Takes candidates in order of falling probability (non-negative float bits order like the floats) and keeps the
     * allowed head. A heap yields them one at a time into the tail of {@code order}, as a full ascending sort would
     * place them, without sorting the whole vocabulary and without allocating (Arrays.sort may allocate run buffers).
     */
    private int sampleFiltered(int vocab) {
        for (int i = 0; i < vocab; i++) {
            order[i] = ((long) Float.floatToRawIntBits(probs[i]) << 32) | i;
        }
        heapify(order, vocab);
        int keep = params.topK() > 0 ? Math.min(params.topK(), vocab) : vocab;
        popLargest(order, vocab);
        float top = probabilityAt(vocab - 1);
        double cumulative = 0;
        int kept = 0;
        for (int j = 0; j < keep; j++) {
            if (j > 0) {
                popLargest(order, vocab - j);
            }
            float p = probabilityAt(vocab - 1 - j);
            if (kept > 0 && (cumulative >= params.topP() || p < params.minP() * top)) {
                break;
            }
            cumulative += p;
            kept++;
        }
        double r = random.nextDouble() * cumulative;
        double acc = 0;
        for (int j = 0; j < kept; j++) {
            acc += probabilityAt(vocab - 1 - j);
            if (r < acc) {
                return tokenAt(vocab - 1 - j);
            }
        }
        return tokenAt(vocab - 1);
    }

    /** Makes a[0, n) a max-heap. */
    static void heapify(long[] a, int n) {
        for (int i = n / 2 - 1; i >= 0; i--) {
            siftDown(a, i, n);
        }
    }

    /** Moves the largest key of the heap a[0, n) to a[n - 1]; a[0, n - 1) stays a heap. */
    static void popLargest(long[] a, int n) {
        long top = a[0];
        a[0] = a[n - 1];
        a[n - 1] = top;
        siftDown(a, 0, n - 1);
    }

    private static void siftDown(long[] a, int i, int n) {
        long v = a[i];
        for (int child = 2 * i + 1; child < n; child = 2 * i + 1) {
            if (child + 1 < n && a[child + 1] > a[child]) {
                child++;
            }
            if (a[child] <= v) {
                break;
            }
            a[i] = a[child];
            i = child;
        }
        a[i] = v;
    }

    private float probabilityAt(int sortedIndex) {
        return Float.intBitsToFloat((int) (order[sortedIndex] >>> 32));
    }

    private int tokenAt(int sortedIndex) {
        return (int) order[sortedIndex];
    }
}
