package dev.loraflow.core.safetensors;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.LongConsumer;

/** Opens the weights of a HuggingFace model directory, single-file or sharded. */
public final class Weights {
    private Weights() {}

    /** Opens the directory's weights {@link Residency#MAPPED}. */
    public static WeightSource openModelDir(Path dir) {
        return openModelDir(dir, Residency.MAPPED, bytes -> { });
    }

    /** Opens the directory's weights as {@code residency} says, reporting the bytes read into memory to {@code progress}. */
    public static WeightSource openModelDir(Path dir, Residency residency, LongConsumer progress) {
        Path single = dir.resolve("model.safetensors");
        Path index = dir.resolve("model.safetensors.index.json");
        if (Files.isRegularFile(single)) {
            return SafetensorsFile.open(single, residency, progress);
        }
        if (Files.isRegularFile(index)) {
            return ShardedWeights.open(index, residency, progress);
        }
        throw new SafetensorsException(dir + ": no model.safetensors or model.safetensors.index.json; "
                + "point --model at a HuggingFace model directory with safetensors weights");
    }
}
