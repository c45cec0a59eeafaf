package dev.loraflow.kernels;

import java.lang.foreign.MemorySegment;

/** Scalar twins of {@link MatMul}: Y[t][r] = sum_c X[t][c] * W[r][c], accumulated in double. */
public final class MatMulReference {
    private MatMulReference() {}

    /** How one stored weight element becomes a float. */
    @FunctionalInterface
    interface Element {
        float get(MemorySegment w, long wOffset, long index);
    }

    public static void f32(MemorySegment w, long wOffset, int rows, int cols, float[] x, int xOff, float[] y, int yOff, int n) {
        matmul(Widen::f32, w, wOffset, rows, cols, x, xOff, y, yOff, n);
    }

    public static void bf16(MemorySegment w, long wOffset, int rows, int cols, float[] x, int xOff, float[] y, int yOff, int n) {
        matmul(Widen::bf16, w, wOffset, rows, cols, x, xOff, y, yOff, n);
    }

    public static void f16(MemorySegment w, long wOffset, int rows, int cols, float[] x, int xOff, float[] y, int yOff, int n) {
        matmul(Widen::f16, w, wOffset, rows, cols, x, xOff, y, yOff, n);
    }

    /** W in {@link Q8_0} rows: each value is its block's half-precision scale times its int8. */
    public static void q8_0(MemorySegment w, long wOffset, int rows, int cols, float[] x, int xOff, float[] y, int yOff, int n) {
        long rowBytes = Q8_0.rowBytes(cols);
        matmul((s, o, i) -> Q8_0.value(s, o + i / cols * rowBytes, cols, (int) (i % cols)), w, wOffset, rows, cols, x, xOff, y, yOff, n);
    }

    static void matmul(Element e, MemorySegment w, long wOffset, int rows, int cols,
                       float[] x, int xOff, float[] y, int yOff, int n) {
        for (int t = 0; t < n; t++) {
            for (int r = 0; r < rows; r++) {
                double sum = 0;
                for (int c = 0; c < cols; c++) {
                    sum += (double) e.get(w, wOffset, (long) r * cols + c) * x[xOff + t * cols + c];
                }
                y[yOff + t * rows + r] = (float) sum;
            }
        }
    }
}
