package dev.loraflow.kernels.grad;

import dev.loraflow.kernels.Reproducible;
import dev.loraflow.kernels.ThreadPool;
import dev.loraflow.kernels.VectorMath;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Backward of RMSNorm, y = x · inv · w with inv = 1/sqrt(mean(x²) + eps), per row of dim. Only x is kept from the
 * forward; inv is recomputed (one dot product, cheaper than storing it in a separate buffer per norm).
 * Both gradients accumulate: dx += inv·(dy⊙w) − x·inv³/dim·Σ(dy⊙w⊙x); dw += Σ_t inv_t·dy_t⊙x_t.
 */
public final class RmsNormGrad {
    private static final VectorSpecies<Float> F = Lanes.F;

    private RmsNormGrad() {}

    public static void input(float[] x, int xOff, float[] weight, float eps, float[] dy, int dyOff,
                             float[] dx, int dxOff, int rows, int dim, ThreadPool pool) {
        pool.parallelFor(rows, (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                inputRow(x, xOff + r * dim, weight, eps, dy, dyOff + r * dim, dx, dxOff + r * dim, dim);
            }
        });
    }

    private static void inputRow(float[] x, int xo, float[] w, float eps, float[] dy, int dyo, float[] dx, int dxo, int dim) {
        float inv = inverseRms(x, xo, eps, dim);
        FloatVector accV = FloatVector.zero(F);
        int bound = F.loopBound(dim);
        int i = 0;
        for (; i < bound; i += F.length()) {
            FloatVector gw = FloatVector.fromArray(F, dy, dyo + i).mul(FloatVector.fromArray(F, w, i));
            accV = gw.fma(FloatVector.fromArray(F, x, xo + i), accV);
        }
        float gwx = Reproducible.sum(accV);
        for (; i < dim; i++) {
            gwx = Math.fma(dy[dyo + i] * w[i], x[xo + i], gwx);
        }
        float k = -gwx * inv * inv * inv / dim;
        i = 0;
        for (; i < bound; i += F.length()) {
            FloatVector gw = FloatVector.fromArray(F, dy, dyo + i).mul(FloatVector.fromArray(F, w, i));
            FloatVector d = FloatVector.fromArray(F, dx, dxo + i);
            d = gw.fma(FloatVector.broadcast(F, inv), d);
            FloatVector.fromArray(F, x, xo + i).fma(FloatVector.broadcast(F, k), d).intoArray(dx, dxo + i);
        }
        for (; i < dim; i++) {
            dx[dxo + i] += dy[dyo + i] * w[i] * inv + x[xo + i] * k;
        }
    }

    /** dw[0..dim) += Σ_t inv_t · dy[t] ⊙ x[t]; parallel over column tiles, so no two threads touch one dw entry. */
    public static void weight(float[] x, int xOff, float eps, float[] dy, int dyOff, float[] dw, int rows, int dim, ThreadPool pool) {
        float[] inv = new float[rows];
        for (int r = 0; r < rows; r++) {
            inv[r] = inverseRms(x, xOff + r * dim, eps, dim);
        }
        int tiles = Lanes.blocks(dim, MatMulGrad.TILE_COLS);
        pool.parallelFor(tiles, (i0, i1) -> {
            for (int c0 = i0 * MatMulGrad.TILE_COLS; c0 < Math.min(dim, i1 * MatMulGrad.TILE_COLS); c0 += MatMulGrad.TILE_COLS) {
                int c1 = Math.min(dim, c0 + MatMulGrad.TILE_COLS);
                for (int r = 0; r < rows; r++) {
                    for (int c = c0; c < c1; c++) {
                        dw[c] = Math.fma(inv[r] * dy[dyOff + r * dim + c], x[xOff + r * dim + c], dw[c]);
                    }
                }
            }
        });
    }

    static float inverseRms(float[] x, int xo, float eps, int dim) {
        return (float) (1.0 / Math.sqrt(VectorMath.dot(x, xo, x, xo, dim) / dim + eps));
    }

    /** Scalar twin of {@link #input} and {@link #weight} in double; dw may be null. */
    public static void reference(float[] x, int xOff, float[] w, float eps, float[] dy, int dyOff,
                                 float[] dx, int dxOff, float[] dw, int rows, int dim) {
        for (int r = 0; r < rows; r++) {
            int xo = xOff + r * dim, go = dyOff + r * dim;
            double ss = 0, gwx = 0;
            for (int i = 0; i < dim; i++) {
                ss += (double) x[xo + i] * x[xo + i];
                gwx += (double) dy[go + i] * w[i] * x[xo + i];
            }
            double inv = 1 / Math.sqrt(ss / dim + eps);
            for (int i = 0; i < dim; i++) {
                dx[dxOff + r * dim + i] += (float) (inv * dy[go + i] * w[i] - x[xo + i] * inv * inv * inv * gwx / dim);
                if (dw != null) {
                    dw[i] += (float) (inv * dy[go + i] * x[xo + i]);
                }
            }
        }
    }
}
