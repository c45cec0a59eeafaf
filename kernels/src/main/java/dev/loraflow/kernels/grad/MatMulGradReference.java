package dev.loraflow.kernels.grad;

/** Scalar twins of {@link MatMulGrad} with double accumulation: the definitions the fast kernels are tested against. */
public final class MatMulGradReference {
    private MatMulGradReference() {}

    /** dX[n][cols] += dY[n][rows] · W[rows][cols]. */
    public static void input(float[] w, int wOff, int rows, int cols, float[] dy, int dyOff, float[] dx, int dxOff, int n) {
        for (int t = 0; t < n; t++) {
            for (int c = 0; c < cols; c++) {
                double sum = dx[dxOff + t * cols + c];
                for (int r = 0; r < rows; r++) {
                    sum += (double) dy[dyOff + t * rows + r] * w[wOff + r * cols + c];
                }
                dx[dxOff + t * cols + c] = (float) sum;
            }
        }
    }

    /** dW[rows][cols] += dY[n][rows]ᵀ · X[n][cols]. */
    public static void weight(float[] dy, int dyOff, float[] x, int xOff, float[] dw, int dwOff, int rows, int cols, int n) {
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                double sum = dw[dwOff + r * cols + c];
                for (int t = 0; t < n; t++) {
                    sum += (double) dy[dyOff + t * rows + r] * x[xOff + t * cols + c];
                }
                dw[dwOff + r * cols + c] = (float) sum;
            }
        }
    }
}
