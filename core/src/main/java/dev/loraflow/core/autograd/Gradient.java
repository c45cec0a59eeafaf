package dev.loraflow.core.autograd;

import dev.loraflow.core.LoraflowException;
import dev.loraflow.kernels.VectorMath;
import java.util.Arrays;

/**
 * The gradient buffer of one {@link Variable}, allocated (zeroed) on the first accumulation into it. It is a
 * separate object so a recorded backward step can hold the place to accumulate into without holding the
 * variable's data alive.
 */
public final class Gradient {
    private final String label;
    private final int rows;
    private final int cols;
    private final boolean kept;
    private float[] values;

    Gradient(String label, int rows, int cols, boolean kept) {
        this.label = label;
        this.rows = rows;
        this.cols = cols;
        this.kept = kept;
    }

    /** The accumulated gradient, or null if nothing has flowed into it (or it was released after use). */
    public float[] values() {
        return values;
    }

    /** The buffer to add into, allocated on first use. */
    float[] accumulator() {
        if (values == null) {
            values = new float[rows * cols];
        }
        return values;
    }

    /** Makes this gradient share an existing buffer (a recomputed checkpoint output takes its original's). */
    void adopt(float[] buffer) {
        values = buffer;
    }

    /** Drops the buffer of an intermediate once its backward step has consumed it; parameters keep theirs. */
    void releaseIfIntermediate() {
        if (!kept) {
            values = null;
        }
    }

    void zero() {
        if (values != null) {
            Arrays.fill(values, 0f);
        }
    }

    /** Throws, naming this gradient and how it was reached, if it holds a NaN or an infinity. */
    void requireFinite(String reachedFrom) {
        if (values == null || VectorMath.allFinite(values, 0, values.length)) {
            return; // the vector scan is the common case; the loop below only finds the element to name
        }
        for (int i = 0; i < values.length; i++) {
            if (!Float.isFinite(values[i])) {
                throw new LoraflowException("the gradient of " + describe() + " became " + values[i] + " at element ["
                        + i / cols + "][" + i % cols + "] in the backward of " + reachedFrom
                        + "; lower the learning rate, check the inputs for NaN, or clip gradients");
            }
        }
    }

    String describe() {
        return label + " [" + rows + "][" + cols + "]";
    }
}
