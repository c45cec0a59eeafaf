package dev.loraflow.model.lora;

import dev.loraflow.core.LoraflowException;
import dev.loraflow.core.Tensor;
import dev.loraflow.core.safetensors.SafetensorsWriter;
import dev.loraflow.core.safetensors.WeightSource;
import dev.loraflow.core.safetensors.Weights;
import dev.loraflow.kernels.MatMul;
import dev.loraflow.kernels.ThreadPool;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Bakes static fusion weights into a new HuggingFace model directory:
 * {@code W' = W + Σ_i c_i s_i B_i A_i}, stored in W's dtype; other tensors, config and tokenizer files are
 * copied. The directory is written beside the target and renamed into place, so a failure leaves nothing half-written.
 */
public final class LoraMerge {
    private static final List<String> COPIED_FILES = List.of("config.json", "generation_config.json", "tokenizer.json",
            "tokenizer_config.json", "tokenizer.model", "special_tokens_map.json");

    private LoraMerge() {}

    public static void merge(Path modelDir, List<LoraAdapter> adapters, StaticWeights weights, Path outDir, ThreadPool pool) {
        if (Files.exists(outDir)) {
            throw new LoraflowException(outDir + " already exists; choose a new --out directory");
        }
        if (weights.adapterCount() != adapters.size()) {
            throw new LoraflowException("merge weights cover " + weights.adapterCount() + " adapters, " + adapters.size() + " given");
        }
        Path absolute = outDir.toAbsolutePath();
        Path temp = absolute.resolveSibling("." + absolute.getFileName() + ".partial");
        try {
            deleteRecursively(temp);
            Files.createDirectories(temp);
            for (String name : COPIED_FILES) {
                Path source = modelDir.resolve(name);
                if (Files.isRegularFile(source)) {
                    Files.copy(source, temp.resolve(name));
                }
            }
            try (WeightSource source = Weights.openModelDir(modelDir)) {
                SafetensorsWriter writer = new SafetensorsWriter().metadata("format", "pt");
                for (String name : source.names()) {
                    Tensor t = source.require(name);
                    float[] delta = delta(name, adapters, weights, pool);
                    if (delta == null) {
                        writer.add(name, t.dtype(), t.shape(), t.data());
                    } else {
                        float[] merged = t.toFloatArray();
                        for (int i = 0; i < merged.length; i++) {
                            merged[i] += delta[i];
                        }
                        writer.addFloats(name, t.dtype(), t.shape(), merged);
                    }
                }
                writer.write(temp.resolve("model.safetensors"));
            }
            Files.move(temp, absolute, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new LoraflowException("cannot write merged model to " + outDir + ": " + e.getMessage(), e);
        } finally {
            try {
                deleteRecursively(temp);
            } catch (IOException ignored) {
                // best effort clean-up of the hidden partial directory
            }
        }
    }

    /** Σ_i c_i s_i B_i A_i for a base tensor name, or null when no adapter touches it. */
    private static float[] delta(String tensorName, List<LoraAdapter> adapters, StaticWeights weights, ThreadPool pool) {
        for (Projection p : Projection.values()) {
            for (int l = 0; l < adapters.getFirst().numLayers(); l++) {
                if (!tensorName.equals(p.modulePath(l) + ".weight")) {
                    continue;
                }
                float[] sum = null;
                float[] c = weights.layer(l);
                for (int i = 0; i < adapters.size(); i++) {
                    LoraWeights w = adapters.get(i).weights(l, p);
                    if (w == null || c[i] == 0f) {
                        continue;
                    }
                    float[] ba = product(w, pool);
                    if (sum == null) {
                        sum = new float[ba.length];
                    }
                    float k = c[i] * w.scale();
                    for (int j = 0; j < ba.length; j++) {
                        sum[j] += k * ba[j];
                    }
                }
                return sum;
            }
        }
        return null;
    }

    /** B·A as [out][in]: row o is Σ_r B[o][r] A[r][:], i.e. B times the transpose of Aᵀ. */
    private static float[] product(LoraWeights w, ThreadPool pool) {
        float[] aTransposed = new float[w.in() * w.rank()];
        for (int r = 0; r < w.rank(); r++) {
            for (int i = 0; i < w.in(); i++) {
                aTransposed[i * w.rank() + r] = w.a()[r * w.in() + i];
            }
        }
        float[] out = new float[w.out() * w.in()];
        MatMul.f32(MemorySegment.ofArray(aTransposed), 0, w.in(), w.rank(), w.b(), 0, out, 0, w.out(), pool);
        return out;
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
