package dev.loraflow.kernels.grad;

import dev.loraflow.kernels.ThreadPool;

/**
 * Backward of an embedding lookup y[t] = table[ids[t]]: dTable[ids[t]] += dy[t]. A token id may repeat, so work
 * is split over column tiles (each thread owns whole columns of the table), never over tokens.
 */
public final class EmbeddingGrad {
    private EmbeddingGrad() {}

    public static void scatterAdd(int[] ids, float[] dy, int dyOff, float[] dTable, int vocab, int dim, ThreadPool pool) {
        for (int t = 0; t < ids.length; t++) {
            if (ids[t] < 0 || ids[t] >= vocab) {
                throw new IllegalArgumentException("token id " + ids[t] + " at position " + t + " is outside the vocabulary of " + vocab);
            }
        }
        MatMulGrad.checkRange(dy, dyOff, (long) ids.length * dim, "dY");
        MatMulGrad.checkRange(dTable, 0, (long) vocab * dim, "dTable");
        int tile = MatMulGrad.TILE_COLS;
        pool.parallelFor(Lanes.blocks(dim, tile), (i0, i1) -> {
            for (int i = i0; i < i1; i++) {
                int c0 = i * tile;
                int width = Math.min(tile, dim - c0);
                for (int t = 0; t < ids.length; t++) {
                    Axpy.add(1f, dy, dyOff + t * dim + c0, dTable, ids[t] * dim + c0, width);
                }
            }
        });
    }

    public static void scatterAddReference(int[] ids, float[] dy, int dyOff, float[] dTable, int dim) {
        for (int t = 0; t < ids.length; t++) {
            for (int c = 0; c < dim; c++) {
                dTable[ids[t] * dim + c] += dy[dyOff + t * dim + c];
            }
        }
    }
}
