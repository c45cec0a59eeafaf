package dev.loraflow.model.tools;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Deterministic random weight values. Every chunk of every tensor has its own random stream, derived
 * from (seed, tensor index, chunk index), so chunks can be generated in any order on any thread and
 * the file is the same for a seed whatever the thread count.
 */
final class RandomWeights {
    /** Standard deviation of matrix entries: the usual Llama initialisation, small enough that 22 layers stay finite. */
    static final float STD = 0.02f;

    private final long seed;

    RandomWeights(long seed) {
        this.seed = seed;
    }

    /** Fills out[0..n) with element values of chunk {@code chunk} of tensor {@code tensor}: 1.0 for norms, else N(0, STD). */
    void fill(TensorSpec spec, int tensor, long chunk, float[] out, int n) {
        if (spec.norm()) {
            Arrays.fill(out, 0, n, 1.0f);
            return;
        }
        SplittableRandom random = new SplittableRandom(mix(mix(seed ^ mix(tensor + 1L)) + chunk));
        for (int i = 0; i < n; i++) {
            out[i] = (float) random.nextGaussian() * STD;
        }
    }

    /** Stafford's 64-bit finaliser (variant 13): nearby inputs give unrelated seeds. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
