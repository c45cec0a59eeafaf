package dev.loraflow.model.llama;

import dev.loraflow.core.LoraflowException;
import dev.loraflow.core.Tensor;
import dev.loraflow.kernels.MatMul;
import dev.loraflow.kernels.Q8_0;
import dev.loraflow.kernels.ThreadPool;
import dev.loraflow.kernels.VectorMath;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;

/**
 * A frozen linear layer {@code y = W x (+ b)}. W is [out, in], row-major as HuggingFace stores it, and stays in
 * its file dtype (F32, BF16, F16: the kernel converts in registers) or is quantised to Q8_0 at load.
 */
public final class Linear {
    private final String name;
    private final Tensor tensor; // the file's tensor; null once quantised
    private final MemorySegment data;
    private final WeightFormat format;
    private final float[] bias;
    private final int in;
    private final int out;

    public Linear(Tensor weight, float[] bias) {
        this(weight.name(), weight, weight.data(), formatOf(weight), shape(weight, 0), shape(weight, 1), bias);
    }

    private Linear(String name, Tensor tensor, MemorySegment data, WeightFormat format, int out, int in, float[] bias) {
        this.name = name;
        this.tensor = tensor;
        this.data = data;
        this.format = format;
        this.out = out;
        this.in = in;
        if (bias != null && bias.length != out) {
            throw new LoraflowException("bias of '" + name + "' has " + bias.length + " values, expected " + out);
        }
        this.bias = bias;
    }

    private static int shape(Tensor t, int dim) {
        if (t.rank() != 2) {
            throw new LoraflowException("tensor '" + t.name() + "' must be a matrix, has shape " + t);
        }
        return Math.toIntExact(t.dim(dim));
    }

    private static WeightFormat formatOf(Tensor t) {
        return switch (t.dtype()) {
            case F32 -> WeightFormat.F32;
            case BF16 -> WeightFormat.BF16;
            case F16 -> WeightFormat.F16;
            default -> throw new LoraflowException("tensor '" + t.name() + "' has dtype " + t.dtype()
                    + "; weights must be F32, BF16 or F16");
        };
    }

    /**
     * The same layer with W quantised to Q8_0 (blocks of 32 int8 and a scale) in memory from {@code memory}. A matrix
     * whose rows are not a multiple of 32 long cannot be (as in llama.cpp): it is copied there in its own dtype.
     */
    public Linear quantizeQ8_0(SegmentAllocator memory, ThreadPool pool) {
        if (tensor == null) {
            throw new IllegalStateException("'" + name + "' is already quantised");
        }
        if (in % Q8_0.BLOCK != 0) {
            MemorySegment copy = memory.allocate(data.byteSize(), ALIGNMENT).copyFrom(data);
            release(data);
            return new Linear(name, new Tensor(tensor.name(), tensor.dtype(), tensor.shape(), copy), copy, format, out, in, bias);
        }
        MemorySegment q = memory.allocate(Q8_0.bytes(out, in), ALIGNMENT);
        long rowBytes = Q8_0.bytes(1, in);
        pool.parallelFor(out, (r0, r1) -> {
            float[] row = new float[in];
            for (int r = r0; r < r1; r++) {
                tensor.copyFloats((long) r * in, in, row, 0);
                Q8_0.quantize(row, 0, in, q, r * rowBytes);
            }
        });
        release(data);
        return new Linear(name, null, q, WeightFormat.Q8_0, out, in, bias);
    }

    /**
     * Bytes {@link #quantizeQ8_0} takes from its allocator, with room to align them: a caller sums these to allocate
     * one block for every layer.
     */
    public long quantizedBytesQ8_0() {
        return (in % Q8_0.BLOCK != 0 ? data.byteSize() : Q8_0.bytes(out, in)) + ALIGNMENT - 1;
    }

    /**
     * Alignment of the memory W is converted into at load. A 512-bit load that straddles two cache lines costs the
     * matvec: one thread streaming a BF16 matrix from DRAM moved 24 instead of 29.5 GB/s with its rows 32 bytes off a
     * 64-byte boundary (thread CPU time, alternating in one process).
     */
    private static final long ALIGNMENT = 64;

    /**
     * Drops a mapped source's pages from this process's resident memory once it has been converted (they stay in the
     * page cache, and are read again if touched). Without this, quantising at load holds the whole file mapping
     * resident beside the quantised copy: 3.4 GB peak instead of 1.2 GB for tinyllama-1.1b BF16 to Q8_0.
     */
    static void release(MemorySegment source) {
        if (source.isMapped()) {
            source.unload();
        }
    }

    public String name() {
        return name;
    }

    public int inFeatures() {
        return in;
    }

    public int outFeatures() {
        return out;
    }

    public WeightFormat format() {
        return format;
    }

    /** Bytes of W as the kernels read it. */
    public long weightBytes() {
        return data.byteSize();
    }

    /** The file's tensor, for training and merging, which need the exact weights. */
    public Tensor weight() {
        if (tensor == null) {
            throw new LoraflowException("'" + name + "' was quantised to Q8_0 at load; training, merging and export need "
                    + "the original weights (load the model without --quantize)");
        }
        return tensor;
    }

    public float[] bias() {
        return bias;
    }

    /**
     * y[t] = down · (silu(gate · x[t]) ⊙ (up · x[t])) for n rows in one fused pass ({@link MatMul#swiGlu}), when it
     * applies: the three in one format, shaped as one MLP, without biases, and n a prompt-sized count ({@link
     * MatMul#fusesPrompt}). Returns false, having computed nothing, otherwise.
     */
    public static boolean swiGlu(Linear gate, Linear up, Linear down, float[] x, float[] y, int n, ThreadPool pool) {
        boolean fuses = MatMul.fusesPrompt(n)
                && gate.format == up.format && up.format == down.format
                && gate.bias == null && up.bias == null && down.bias == null
                && gate.in == up.in && gate.out == up.out && down.in == gate.out && down.out == gate.in;
        if (fuses) {
            MatMul.swiGlu(gate.format.dtype(), gate.data, up.data, down.data, gate.in, gate.out, x, 0, y, 0, n, pool);
        }
        return fuses;
    }

    /**
     * y[m] = layers[m] x (+ b) for layers of one format and input width reading the same x (a layer's Q, K and V) in
     * one pass ({@link MatMul#sameInput}), when n is a prompt-sized count ({@link MatMul#fusesPrompt}). Returns false,
     * having computed nothing, otherwise.
     */
    public static boolean sameInput(Linear[] layers, float[] x, float[][] y, int n, ThreadPool pool) {
        boolean fuses = MatMul.fusesPrompt(n);
        for (Linear l : layers) {
            fuses &= l.format == layers[0].format && l.in == layers[0].in;
        }
        if (!fuses) {
            return false;
        }
        MemorySegment[] data = new MemorySegment[layers.length];
        int[] rows = new int[layers.length];
        for (int m = 0; m < layers.length; m++) {
            data[m] = layers[m].data;
            rows[m] = layers[m].out;
        }
        MatMul.sameInput(layers[0].format.dtype(), data, rows, layers[0].in, x, 0, y, n, pool);
        for (int m = 0; m < layers.length; m++) {
            layers[m].addBias(y[m], 0, n);
        }
        return true;
    }

    /** y[t][out] = W x[t][in] (+ b) for n rows; overwrites y. */
    public void forward(float[] x, int xOff, float[] y, int yOff, int n, ThreadPool pool) {
        switch (format) {
            case F32 -> MatMul.f32(data, 0, out, in, x, xOff, y, yOff, n, pool);
            case BF16 -> MatMul.bf16(data, 0, out, in, x, xOff, y, yOff, n, pool);
            case F16 -> MatMul.f16(data, 0, out, in, x, xOff, y, yOff, n, pool);
            case Q8_0 -> MatMul.q8_0(data, 0, out, in, x, xOff, y, yOff, n, pool);
        }
        addBias(y, yOff, n);
    }

    private void addBias(float[] y, int yOff, int n) {
        if (bias != null) {
            for (int t = 0; t < n; t++) {
                VectorMath.addInPlace(y, yOff + t * out, bias, 0, out);
            }
        }
    }
}
