package dev.loraflow.kernels;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Y[t][r] = X[t]·W[r] for n > 1 tokens (prefill, training), as a cache-blocked GEMM.
 *
 * <p>Blocks of {@link #NC} W rows × {@link #KC} columns are widened to F32 and packed into panels of {@link #NR}
 * rows laid out [k][NR], so one k step of the micro-kernel loads NR consecutive weights as vectors and broadcasts one
 * X value per token: an MR × NR tile of Y lives in MR·NR/lanes accumulator registers, with no horizontal reductions.
 * A packed block (NC·KC·4 = 128 KiB) stays in L2 while every token of X streams past it; the micro-kernel's X slice
 * (MR·KC·4 = 6 KiB) stays in L1 across the block's panels. Work is split over W rows, so workers never share
 * outputs.
 */
final class Gemm {
    private static final VectorSpecies<Float> F = Simd.F;
    /** Tokens per micro-kernel tile. */
    static final int MR = 6;
    /** W rows per panel: two vectors of output columns. */
    static final int NR = 2 * Simd.LANES;
    /** Columns (k) per packed block: a multiple of the Q8_0 block. */
    static final int KC = 256;
    /** W rows per packed block (a multiple of NR for every vector width). */
    static final int NC = 128;
    private static final int SLOT_PACKED = 2;
    private static final int SLOT_ROW = 3;
    private static final int SLOT_TILE = 4;

    private Gemm() {}

    static void run(Dtype dtype, MemorySegment w, long wOffset, int rows, int cols,
                    float[] x, int xOff, float[] y, int yOff, int n, ThreadPool pool) {
        pool.parallelFor(MatMul.blocks(rows, NC), (b0, b1) -> {
            float[] packed = pool.scratch(SLOT_PACKED, NC * KC);
            float[] row = pool.scratch(SLOT_ROW, KC);
            float[] tile = pool.scratch(SLOT_TILE, MR * NR);
            for (int r0 = b0 * NC, end = Math.min(rows, b1 * NC); r0 < end; r0 += NC) {
                int nc = Math.min(NC, end - r0);
                for (int k0 = 0; k0 < cols; k0 += KC) {
                    int kc = Math.min(KC, cols - k0);
                    pack(dtype, w, wOffset, cols, r0, nc, k0, kc, row, packed);
                    block(x, xOff, cols, k0, kc, n, packed, nc, y, yOff, rows, r0, k0 > 0, tile);
                }
            }
        });
    }

    /** packed[p][k][j] = W[r0 + p·NR + j][k0 + k], zero for rows past nc so edge panels stay full width. */
    static void pack(Dtype dtype, MemorySegment w, long wOffset, int cols, int r0, int nc, int k0, int kc,
                     float[] row, float[] packed) {
        int panels = MatMul.blocks(nc, NR);
        for (int p = 0; p < panels; p++) {
            int base = p * kc * NR;
            for (int j = 0; j < NR; j++) {
                int r = p * NR + j;
                if (r < nc) {
                    dtype.widen(w, wOffset + dtype.offset(r0 + r, cols, k0), kc, row);
                    for (int k = 0; k < kc; k++) {
                        packed[base + k * NR + j] = row[k];
                    }
                } else {
                    for (int k = 0; k < kc; k++) {
                        packed[base + k * NR + j] = 0f;
                    }
                }
            }
        }
    }

    /** Y[t][r0 + c] (+)= X[t][k0 .. k0+kc) · packed for every token t and the nc packed rows. */
    private static void block(float[] x, int xOff, int cols, int k0, int kc, int n, float[] packed, int nc,
                              float[] y, int yOff, int rows, int r0, boolean accumulate, float[] tile) {
        int panels = MatMul.blocks(nc, NR);
        for (int t0 = 0; t0 < n; t0 += MR) {
            int mr = Math.min(MR, n - t0);
            for (int p = 0; p < panels; p++) {
                micro(x, xOff + k0, cols, t0, mr, packed, p * kc * NR, kc, tile);
                int c0 = p * NR;
                int nr = Math.min(NR, nc - c0);
                for (int i = 0; i < mr; i++) {
                    int yRow = yOff + (t0 + i) * rows + r0 + c0;
                    if (accumulate) {
                        VectorMath.addInPlace(y, yRow, tile, i * NR, nr);
                    } else {
                        System.arraycopy(tile, i * NR, y, yRow, nr);
                    }
                }
            }
        }
    }

    /**
     * tile[i][0..NR) = sum_k X[t0+i][k] · panel[k][0..NR) for i < MR; rows past mr repeat the last real token
     * (their results are ignored), so the loop body is always the full 6 × 2-vector register tile.
     */
    static void micro(float[] x, int xBase, int cols, int t0, int mr, float[] panel, int pOff, int kc, float[] tile) {
        int x0 = xBase + t0 * cols;
        int x1 = xBase + (t0 + Math.min(1, mr - 1)) * cols;
        int x2 = xBase + (t0 + Math.min(2, mr - 1)) * cols;
        int x3 = xBase + (t0 + Math.min(3, mr - 1)) * cols;
        int x4 = xBase + (t0 + Math.min(4, mr - 1)) * cols;
        int x5 = xBase + (t0 + Math.min(5, mr - 1)) * cols;
        int lanes = F.length();
        FloatVector c00 = FloatVector.zero(F), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
        FloatVector c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
        for (int k = 0; k < kc; k++) {
            int pk = pOff + k * NR;
            FloatVector b0 = FloatVector.fromArray(F, panel, pk);
            FloatVector b1 = FloatVector.fromArray(F, panel, pk + lanes);
            FloatVector a = FloatVector.broadcast(F, x[x0 + k]);
            c00 = b0.fma(a, c00);
            c01 = b1.fma(a, c01);
            a = FloatVector.broadcast(F, x[x1 + k]);
            c10 = b0.fma(a, c10);
            c11 = b1.fma(a, c11);
            a = FloatVector.broadcast(F, x[x2 + k]);
            c20 = b0.fma(a, c20);
            c21 = b1.fma(a, c21);
            a = FloatVector.broadcast(F, x[x3 + k]);
            c30 = b0.fma(a, c30);
            c31 = b1.fma(a, c31);
            a = FloatVector.broadcast(F, x[x4 + k]);
            c40 = b0.fma(a, c40);
            c41 = b1.fma(a, c41);
            a = FloatVector.broadcast(F, x[x5 + k]);
            c50 = b0.fma(a, c50);
            c51 = b1.fma(a, c51);
        }
        c00.intoArray(tile, 0);
        c01.intoArray(tile, lanes);
        c10.intoArray(tile, NR);
        c11.intoArray(tile, NR + lanes);
        c20.intoArray(tile, 2 * NR);
        c21.intoArray(tile, 2 * NR + lanes);
        c30.intoArray(tile, 3 * NR);
        c31.intoArray(tile, 3 * NR + lanes);
        c40.intoArray(tile, 4 * NR);
        c41.intoArray(tile, 4 * NR + lanes);
        c50.intoArray(tile, 5 * NR);
        c51.intoArray(tile, 5 * NR + lanes);
    }
}
