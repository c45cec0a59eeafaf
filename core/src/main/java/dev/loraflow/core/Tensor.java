package dev.loraflow.core;

import dev.loraflow.kernels.ToFloat;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A named, typed, row-major view of bytes (a slice of a safetensors file's mapping or of its copy in memory).
 * The data segment covers exactly {@code numel * dtype.byteSize} bytes.
 */
public record Tensor(String name, DType dtype, long[] shape, MemorySegment data) {
    private static final ValueLayout.OfFloat F32_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort I16_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    public Tensor {
        shape = shape.clone();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    public long dim(int i) {
        return shape[i];
    }

    public long numel() {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    /** Element i converted to float (BF16: the 16 bits shifted left by 16; F16: IEEE half). */
    public float getFloat(long i) {
        return switch (dtype) {
            case F32 -> data.get(F32_LE, i * 4);
            case BF16 -> Float.intBitsToFloat((data.get(I16_LE, i * 2) & 0xFFFF) << 16);
            case F16 -> Float.float16ToFloat(data.get(I16_LE, i * 2));
            default -> throw new LoraflowException("tensor '" + name + "' has dtype " + dtype
                    + ", which cannot be read as floating point");
        };
    }

    /**
     * dst[dstOff .. dstOff+n) = elements [first, first+n) converted to float as {@link #getFloat} does, with the
     * vector kernels (a row of a weight matrix, an embedding row).
     */
    public void copyFloats(long first, int n, float[] dst, int dstOff) {
        switch (dtype) {
            case F32 -> ToFloat.f32(data, 4 * first, n, dst, dstOff);
            case BF16 -> ToFloat.bf16(data, 2 * first, n, dst, dstOff);
            case F16 -> ToFloat.f16(data, 2 * first, n, dst, dstOff);
            default -> throw new LoraflowException("tensor '" + name + "' has dtype " + dtype
                    + ", which cannot be read as floating point");
        }
    }

    /** Copies the whole tensor into a new float array (for small tensors: norms, biases, adapters). */
    public float[] toFloatArray() {
        long n = numel();
        if (n > Integer.MAX_VALUE - 8) {
            throw new LoraflowException("tensor '" + name + "' has " + n + " elements, too many to copy into an array");
        }
        float[] out = new float[(int) n];
        copyFloats(0, out.length, out, 0);
        return out;
    }

    /** Checks the shape, naming the tensor and both shapes when they differ. */
    public Tensor requireShape(long... expected) {
        if (!Arrays.equals(shape, expected)) {
            throw new LoraflowException("tensor '" + name + "' has shape " + Arrays.toString(shape)
                    + " but " + Arrays.toString(expected) + " was expected; the file does not fit this model's config");
        }
        return this;
    }

    @Override
    public String toString() {
        return name + " " + dtype + " " + Arrays.toString(shape);
    }
}
