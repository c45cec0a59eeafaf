package dev.loraflow.core.autograd;

import dev.loraflow.core.LoraflowException;

/**
 * A row-major matrix [rows][cols] of float32 values in the autograd graph. It carries a gradient only if it
 * requires one: it is a {@link Parameter} or was computed from one. Everything else (inputs, frozen weights,
 * activations computed only from them) has none, and backward steps skip work for it.
 */
public class Variable {
    private final float[] data;
    private final int rows;
    private final int cols;
    private final Gradient gradient;

    Variable(float[] data, int rows, int cols, String label, boolean requiresGrad, boolean keepsGrad) {
        if (rows < 0 || cols < 0 || (long) rows * cols != data.length) {
            throw new LoraflowException(label + ": " + data.length + " values do not fill a [" + rows + "][" + cols + "] matrix");
        }
        this.data = data;
        this.rows = rows;
        this.cols = cols;
        this.gradient = requiresGrad ? new Gradient(label, rows, cols, keepsGrad) : null;
    }

    /** A value that needs no gradient (an input, a frozen weight); the array is used as is, not copied. */
    public static Variable constant(float[] data, int rows, int cols) {
        return new Variable(data, rows, cols, "constant", false, false);
    }

    public float[] data() {
        return data;
    }

    public int rows() {
        return rows;
    }

    public int cols() {
        return cols;
    }

    public int[] shape() {
        return new int[] {rows, cols};
    }

    public boolean requiresGrad() {
        return gradient != null;
    }

    /** The accumulated gradient, or null if none (not required, not reached, or an intermediate already used). */
    public float[] grad() {
        return gradient == null ? null : gradient.values();
    }

    /** The value of a [1][1] variable (a loss). */
    public float item() {
        if (data.length != 1) {
            throw new LoraflowException("item() needs a scalar but this variable is [" + rows + "][" + cols + "]");
        }
        return data[0];
    }

    Gradient gradient() {
        return gradient;
    }

    /** The gradient buffer to accumulate into; only for variables that require a gradient. */
    float[] accumulator() {
        return gradient.accumulator();
    }
}
