package dev.loraflow.cli;

import dev.loraflow.core.safetensors.Residency;
import dev.loraflow.model.LanguageModel;
import dev.loraflow.model.llama.WeightFormat;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** How the commands that run a model load it. */
final class LoadOptions {
    @Option(names = "--mmap", description = "Map the model's weights from the file instead of reading them into memory:"
            + " starts at once and shares the page cache, but decodes slower (F32 1.8-2.8x on the benchmark machine)."
            + " With --quantize the file is always mapped, matrix by matrix.")
    boolean mmap;

    Residency residency() {
        return mmap ? Residency.MAPPED : Residency.IN_MEMORY;
    }

    /** Opens a model directory. */
    LanguageModel open(Path dir, CommonOptions common) {
        return open(dir, common, null);
    }

    /** Opens a model directory, its layer matrices quantised to {@code quantize} (null: kept in the file's dtype). */
    LanguageModel open(Path dir, CommonOptions common, WeightFormat quantize) {
        return LanguageModel.open(dir, common.threads(), quantize, residency());
    }
}
