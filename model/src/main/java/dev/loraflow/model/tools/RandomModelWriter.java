package dev.loraflow.model.tools;

import dev.loraflow.core.DType;
import dev.loraflow.core.io.AtomicFiles;
import dev.loraflow.kernels.ThreadPool;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a random-weight model of a given shape as a HuggingFace directory ({@code config.json} and
 * {@code model.safetensors}). Weights are generated a window of chunks at a time on the pool and
 * streamed to the file in order, so memory stays at a few chunks whatever the model size.
 */
public final class RandomModelWriter {
    /** Elements per generated chunk: large enough to amortise a job, small enough to keep memory flat. */
    static final int CHUNK = 1 << 20;
    /** Chunks generated per parallel job, per thread. */
    private static final int WINDOW_PER_THREAD = 4;

    private final ThreadPool pool;

    public RandomModelWriter(ThreadPool pool) {
        this.pool = pool;
    }

    /** What was written. */
    public record Summary(Path dir, long parameters, long weightBytes) {}

    /**
     * Writes {@code dir/model.safetensors}, then {@code dir/config.json}, each atomically: a directory
     * with a config always has complete weights beside it.
     */
    public Summary write(ModelShape shape, DType dtype, long seed, Path dir) {
        if (!dtype.isWeightType()) {
            throw new IllegalArgumentException("cannot store weights as " + dtype + "; use BF16, F16 or F32");
        }
        List<TensorSpec> tensors = shape.tensors();
        byte[] header = SafetensorsHeader.bytes(tensors, dtype);
        AtomicFiles.write(dir.resolve("model.safetensors"), out -> {
            out.write(header);
            streamData(tensors, dtype, new RandomWeights(seed), out);
        });
        AtomicFiles.writeString(dir.resolve("config.json"), HfConfigJson.render(shape, dtype));
        long parameters = tensors.stream().mapToLong(TensorSpec::numel).sum();
        return new Summary(dir, parameters, parameters * dtype.byteSize());
    }

    private void streamData(List<TensorSpec> tensors, DType dtype, RandomWeights weights, OutputStream out)
            throws IOException {
        List<Chunk> chunks = plan(tensors);
        int window = pool.threads() * WINDOW_PER_THREAD;
        float[][] values = new float[window][CHUNK];
        byte[][] encoded = new byte[window][CHUNK * dtype.byteSize()];
        for (int start = 0; start < chunks.size(); start += window) {
            int first = start;
            int count = Math.min(window, chunks.size() - start);
            pool.parallelFor(count, (from, to) -> {
                for (int slot = from; slot < to; slot++) {
                    Chunk c = chunks.get(first + slot);
                    weights.fill(c.spec(), c.tensor(), c.index(), values[slot], c.size());
                    WeightEncoder.encode(values[slot], c.size(), dtype, encoded[slot]);
                }
            });
            for (int slot = 0; slot < count; slot++) {
                out.write(encoded[slot], 0, chunks.get(first + slot).size() * dtype.byteSize());
            }
        }
    }

    /** The chunk {@code index} of tensor number {@code tensor}, holding {@code size} elements. */
    private record Chunk(TensorSpec spec, int tensor, long index, int size) {}

    private static List<Chunk> plan(List<TensorSpec> tensors) {
        List<Chunk> chunks = new ArrayList<>();
        for (int t = 0; t < tensors.size(); t++) {
            TensorSpec spec = tensors.get(t);
            long numel = spec.numel();
            for (long index = 0; index * CHUNK < numel; index++) {
                chunks.add(new Chunk(spec, t, index, (int) Math.min(CHUNK, numel - index * CHUNK)));
            }
        }
        return chunks;
    }
}
