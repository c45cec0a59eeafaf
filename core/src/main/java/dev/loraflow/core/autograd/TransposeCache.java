package dev.loraflow.core.autograd;

import dev.loraflow.core.Tensor;
import dev.loraflow.kernels.ThreadPool;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Transposed copies of frozen weights, made once and kept for a whole training run. The forward through a frozen
 * projection, Y = X·Wᵀ, then runs as the k-major GEMM on Wᵀ, whose packing reads contiguous runs, instead of
 * transposing blocks of W on every call (the gradient dX = dY·W reads W itself the same way). Costs one extra copy
 * of every weight it is asked for (in the weight's dtype).
 */
public final class TransposeCache {
    private static final int TILE = 64;
    private final Map<Tensor, Tensor> transposed = new IdentityHashMap<>();
    private final Arena arena = Arena.ofAuto();

    /** Wᵀ [in][out] for W [out][in], in W's dtype. */
    synchronized Tensor of(Tensor w, ThreadPool pool) {
        return transposed.computeIfAbsent(w, t -> transpose(t, pool));
    }

    private Tensor transpose(Tensor w, ThreadPool pool) {
        int rows = (int) w.dim(0), cols = (int) w.dim(1);
        int size = w.dtype().byteSize();
        MemorySegment src = w.data();
        MemorySegment dst = arena.allocate(src.byteSize(), 8);
        int tiles = (cols + TILE - 1) / TILE;
        pool.parallelFor(tiles, (t0, t1) -> {
            for (int ct = t0; ct < t1; ct++) {
                int c0 = ct * TILE, c1 = Math.min(cols, c0 + TILE);
                for (int r0 = 0; r0 < rows; r0 += TILE) {
                    int r1 = Math.min(rows, r0 + TILE);
                    for (int c = c0; c < c1; c++) {
                        for (int r = r0; r < r1; r++) {
                            long from = ((long) r * cols + c) * size;
                            long to = ((long) c * rows + r) * size;
                            if (size == 4) {
                                dst.set(ValueLayout.JAVA_INT_UNALIGNED, to, src.get(ValueLayout.JAVA_INT_UNALIGNED, from));
                            } else {
                                dst.set(ValueLayout.JAVA_SHORT_UNALIGNED, to, src.get(ValueLayout.JAVA_SHORT_UNALIGNED, from));
                            }
                        }
                    }
                }
            }
        });
        return new Tensor(w.name() + ".T", w.dtype(), new long[] {cols, rows}, dst);
    }
}
