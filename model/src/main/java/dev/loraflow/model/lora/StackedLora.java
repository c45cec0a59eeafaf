package dev.loraflow.model.lora;

import dev.loraflow.kernels.MatMul;
import dev.loraflow.kernels.ThreadPool;
import dev.loraflow.kernels.VectorMath;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * Several adapters' updates of one projection, fused: {@code y += Σ_i c_i(t) · s_i · B_i(A_i x)}.
 * The A matrices are stacked into one [Σr, in] matrix and the B matrices side by side into one
 * [out, Σr] matrix, so the whole sum is two matrix products with a per-token, per-adapter scaling
 * of the rank-sized intermediate in between — the sum of the adapters' outputs, never (Σ c B)(Σ c A).
 */
public final class StackedLora {
    private final int in;
    private final int out;
    private final int totalRank;
    private final int[] blockStart; // rows of adapter i in the stacked A: [blockStart[i], blockStart[i+1])
    private final float[] scales;
    private final float[] a;
    private final float[] b;
    private final MemorySegment stackedA;
    private final MemorySegment stackedB;

    /** @param perAdapter one entry per adapter, null where that adapter does not touch this projection */
    public StackedLora(int in, int out, List<LoraWeights> perAdapter) {
        this.in = in;
        this.out = out;
        int k = perAdapter.size();
        this.blockStart = new int[k + 1];
        this.scales = new float[k];
        for (int i = 0; i < k; i++) {
            LoraWeights w = perAdapter.get(i);
            blockStart[i + 1] = blockStart[i] + (w == null ? 0 : w.rank());
            scales[i] = w == null ? 0f : w.scale();
        }
        this.totalRank = blockStart[k];
        this.a = new float[totalRank * in];
        this.b = new float[out * totalRank];
        for (int i = 0; i < k; i++) {
            LoraWeights w = perAdapter.get(i);
            if (w == null) {
                continue;
            }
            System.arraycopy(w.a(), 0, a, blockStart[i] * in, w.rank() * in);
            for (int o = 0; o < out; o++) {
                System.arraycopy(w.b(), o * w.rank(), b, o * totalRank + blockStart[i], w.rank());
            }
        }
        this.stackedA = MemorySegment.ofArray(a);
        this.stackedB = MemorySegment.ofArray(b);
    }

    public int in() {
        return in;
    }

    public int out() {
        return out;
    }

    /** Each adapter's rank here (0 where it does not touch this projection). */
    public int[] ranks() {
        int[] r = new int[scales.length];
        for (int i = 0; i < r.length; i++) {
            r[i] = blockStart[i + 1] - blockStart[i];
        }
        return r;
    }

    public float[] scales() {
        return scales.clone();
    }

    /** The stacked A [Σr][in] (shared, not copied: the training graph reads it as a constant). */
    public float[] stackedA() {
        return a;
    }

    /** The side-by-side B [out][Σr] (shared, not copied). */
    public float[] stackedB() {
        return b;
    }

    public int totalRank() {
        return totalRank;
    }

    public int adapterCount() {
        return scales.length;
    }

    /**
     * Adds the fused update for n rows of x to y.
     *
     * @param coefficients [n][k] fusion weights c_i(t)
     * @param rankScratch  at least n × totalRank floats
     * @param outScratch   at least n × out floats
     */
    public void addTo(float[] x, int xOff, float[] y, int yOff, int n, float[] coefficients,
                      float[] rankScratch, float[] outScratch, ThreadPool pool) {
        if (totalRank == 0) {
            return;
        }
        int k = scales.length;
        MatMul.f32(stackedA, 0, totalRank, in, x, xOff, rankScratch, 0, n, pool);
        for (int t = 0; t < n; t++) {
            for (int i = 0; i < k; i++) {
                int r = blockStart[i + 1] - blockStart[i];
                if (r > 0) {
                    VectorMath.scaleInPlace(rankScratch, t * totalRank + blockStart[i], r, coefficients[t * k + i] * scales[i]);
                }
            }
        }
        MatMul.f32(stackedB, 0, out, totalRank, rankScratch, 0, outScratch, 0, n, pool);
        VectorMath.addInPlace(y, yOff, outScratch, 0, n * out);
    }
}
