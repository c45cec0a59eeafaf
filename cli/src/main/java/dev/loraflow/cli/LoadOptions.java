package dev.loraflow.cli;

import dev.loraflow.core.safetensors.Residency;
import dev.loraflow.model.LanguageModel;
import dev.loraflow.model.llama.WeightFormat;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.LongConsumer;
import java.util.stream.Stream;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** How the commands that run a model load it. */
final class LoadOptions {
    /** Smallest read into memory that shows progress: below it the load takes about a second or less. */
    static final long PROGRESS_MIN_BYTES = 512L << 20;
    private static final long MIB = 1L << 20;

    @Option(names = "--mmap", description = "Map the model's weights from the file instead of reading them into memory:"
            + " starts at once and shares the page cache, but decodes slower (F32 1.8-2.8x on the benchmark machine)."
            + " With --quantize the file is always mapped, matrix by matrix.")
    boolean mmap;

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    Residency residency() {
        return mmap ? Residency.MAPPED : Residency.IN_MEMORY;
    }

    /** Opens a model directory. */
    LanguageModel open(Path dir, CommonOptions common) {
        return open(dir, common, null);
    }

    /**
     * Opens a model directory, its layer matrices quantised to {@code quantize} (null: kept in the file's dtype).
     * Reading a large model into memory, or quantising it, shows progress in MiB of the file on stderr.
     */
    LanguageModel open(Path dir, CommonOptions common, WeightFormat quantize) {
        try (LoadProgress progress = progress(dir, quantize)) {
            return LanguageModel.open(dir, common.threads(), quantize, residency(), progress);
        }
    }

    /**
     * Progress of loading {@code dir} as these options and {@code quantize} say, fed bytes of the file: a bar (or
     * lines) in MiB on stderr once the load reads or quantises {@link #PROGRESS_MIN_BYTES} or more, else silent.
     */
    LoadProgress progress(Path dir, WeightFormat quantize) {
        long bytes = quantize != null || !mmap ? safetensorsBytes(dir) : 0;
        return new LoadProgress(bytes < PROGRESS_MIN_BYTES ? null
                : Progress.start("loading", (int) ((bytes + MIB - 1) / MIB), "MiB", spec.commandLine().getErr()));
    }

    /** Bytes reported as whole MiB steps of a {@link Progress} (none when it is null); closing twice is harmless. */
    static final class LoadProgress implements LongConsumer, AutoCloseable {
        private final Progress progress;
        private long bytes;
        private long reportedMib;
        private boolean closed;

        LoadProgress(Progress progress) {
            this.progress = progress;
        }

        @Override
        public void accept(long chunk) {
            bytes += chunk;
            for (; progress != null && reportedMib < (bytes + MIB - 1) / MIB; reportedMib++) {
                progress.step();
            }
        }

        @Override
        public void close() {
            if (progress != null && !closed) {
                closed = true;
                progress.close();
            }
        }
    }

    /** Bytes of the directory's safetensors files (0 when it has none: the load then reports the problem). */
    private static long safetensorsBytes(Path dir) {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".safetensors")).mapToLong(f -> {
                try {
                    return Files.size(f);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).sum();
        } catch (IOException | UncheckedIOException e) {
            return 0;
        }
    }
}
