package dev.loraflow.model.llama;

import dev.loraflow.core.LoraflowException;
import dev.loraflow.core.Tensor;
import dev.loraflow.kernels.MatMul;
import dev.loraflow.kernels.ThreadPool;
import dev.loraflow.kernels.VectorMath;

/**
 * A frozen linear layer {@code y = W x (+ b)} whose weight stays in its file dtype; the kernel
 * converts it in registers. W is [out, in], row-major, as HuggingFace stores it.
 */
public final class Linear {
    private final Tensor weight;
    private final float[] bias;
    private final int in;
    private final int out;

    public Linear(Tensor weight, float[] bias) {
        if (weight.rank() != 2) {
            throw new LoraflowException("tensor '" + weight.name() + "' must be a matrix, has shape " + weight);
        }
        this.weight = weight;
        this.out = Math.toIntExact(weight.dim(0));
        this.in = Math.toIntExact(weight.dim(1));
        if (bias != null && bias.length != out) {
            throw new LoraflowException("bias of '" + weight.name() + "' has " + bias.length + " values, expected " + out);
        }
        this.bias = bias;
    }

    public int inFeatures() {
        return in;
    }

    public int outFeatures() {
        return out;
    }

    public Tensor weight() {
        return weight;
    }

    public float[] bias() {
        return bias;
    }

    /** y[t][out] = W x[t][in] (+ b) for n rows; overwrites y. */
    public void forward(float[] x, int xOff, float[] y, int yOff, int n, ThreadPool pool) {
        var w = weight.data();
        switch (weight.dtype()) {
            case F32 -> MatMul.f32(w, 0, out, in, x, xOff, y, yOff, n, pool);
            case BF16 -> MatMul.bf16(w, 0, out, in, x, xOff, y, yOff, n, pool);
            case F16 -> MatMul.f16(w, 0, out, in, x, xOff, y, yOff, n, pool);
            default -> throw new LoraflowException("tensor '" + weight.name() + "' has dtype " + weight.dtype()
                    + "; weights must be F32, BF16 or F16");
        }
        if (bias != null) {
            for (int t = 0; t < n; t++) {
                VectorMath.addInPlace(y, yOff + t * out, bias, 0, out);
            }
        }
    }
}
