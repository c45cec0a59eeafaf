package dev.loraflow.model.tools;

/** One weight to generate: its name, shape, and whether it is a norm (all ones) or a random matrix. */
public record TensorSpec(String name, long[] shape, boolean norm) {
    public TensorSpec {
        shape = shape.clone();
    }

    static TensorSpec matrix(String name, int rows, int cols) {
        return new TensorSpec(name, new long[] {rows, cols}, false);
    }

    static TensorSpec norm(String name, int size) {
        return new TensorSpec(name, new long[] {size}, true);
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    public long numel() {
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }
}
