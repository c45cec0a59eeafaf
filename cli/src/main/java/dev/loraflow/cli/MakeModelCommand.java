package dev.loraflow.cli;

import dev.loraflow.core.DType;
import dev.loraflow.kernels.ThreadPool;
import dev.loraflow.model.tools.ModelShape;
import dev.loraflow.model.tools.RandomModelWriter;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "make-model", mixinStandardHelpOptions = true,
        description = "Write a random-weight model of a real shape (config.json + model.safetensors) for benchmarks and tests.")
final class MakeModelCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    CommonOptions common;

    @Option(names = "--shape", required = true, description = "tinyllama-1.1b, stories110m, stories15m or tiny (hidden 64, 2 layers, for tests).")
    String shape;

    @Option(names = "--out", required = true, description = "Directory to write (created if missing).")
    Path out;

    @Option(names = "--dtype", defaultValue = "bf16", description = "bf16, f16 or f32 (default ${DEFAULT-VALUE}).")
    String dtype;

    @Option(names = "--seed", defaultValue = "0", description = "Random seed; the same seed writes the same bytes (default ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() {
        ModelShape modelShape = ModelShape.named(shape).orElseThrow(() -> new IllegalArgumentException(
                "--shape must be one of " + String.join(", ", ModelShape.names()) + ", got '" + shape + "'"));
        DType storage = parseDtype(dtype);
        long start = System.nanoTime();
        RandomModelWriter.Summary written;
        try (ThreadPool pool = new ThreadPool(common.threads())) {
            written = new RandomModelWriter(pool).write(modelShape, storage, seed, out);
        }
        PrintWriter o = spec.commandLine().getOut();
        o.printf("wrote %s: %s, %,d parameters, %,d weight bytes (%s), seed %d, %.1f s%n", written.dir(), shape,
                written.parameters(), written.weightBytes(), storage, seed, (System.nanoTime() - start) / 1e9);
        o.flush();
        return 0;
    }

    private static DType parseDtype(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "bf16" -> DType.BF16;
            case "f16" -> DType.F16;
            case "f32" -> DType.F32;
            default -> throw new IllegalArgumentException("--dtype must be bf16, f16 or f32, got '" + name + "'");
        };
    }
}
