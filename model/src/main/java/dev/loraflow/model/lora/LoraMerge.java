package dev.loraflow.model.lora;

import dev.loraflow.core.LoraflowException;
import dev.loraflow.core.Tensor;
import dev.loraflow.core.io.AtomicFiles;
import dev.loraflow.core.safetensors.SafetensorsWriter;
import dev.loraflow.core.safetensors.WeightSource;
import dev.loraflow.core.safetensors.Weights;
import dev.loraflow.kernels.MatMul;
import dev.loraflow.kernels.ThreadPool;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Bakes static fusion weights into a new HuggingFace model directory:
 * {@code W' = W + Σ_i c_i s_i B_i A_i}, stored in W's dtype; other tensors, config and tokenizer files are
 * copied. The directory appears complete or not at all.
 */
public final class LoraMerge {
    private static final List<String> COPIED_FILES = List.of("config.json", "generation_config.json", "tokenizer.json",
            "tokenizer_config.json", "tokenizer.model", "special_tokens_map.json");

    private LoraMerge() {}

    public static void merge(Path modelDir, List<LoraAdapter> adapters, StaticWeights weights, Path outDir, ThreadPool pool) {
        if (weights.adapterCount() != adapters.size()) {
            throw new LoraflowException("merge weights cover " + weights.adapterCount() + " adapters, " + adapters.size() + " given");
        }
        AtomicFiles.writeDirectory(outDir, dir -> {
            for (String name : COPIED_FILES) {
                Path source = modelDir.resolve(name);
                if (Files.isRegularFile(source)) {
                    Files.copy(source, dir.resolve(name));
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
                writer.write(dir.resolve("model.safetensors"));
            }
        });
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
}
