package dev.loraflow.core.autograd;

/**
 * A trainable matrix: it requires a gradient, and keeps it across backward passes (gradients accumulate) until
 * {@link #zeroGrad}. The optimizer updates {@link #data()} in place.
 */
public final class Parameter extends Variable {
    private final String name;

    public Parameter(String name, float[] data, int rows, int cols) {
        super(data, rows, cols, "parameter '" + name + "'", true, true);
        this.name = name;
    }

    public String name() {
        return name;
    }

    public void zeroGrad() {
        gradient().zero();
    }
}
