package dev.loraflow.cli;

import dev.loraflow.kernels.ThreadPool;
import picocli.CommandLine.Option;

/** Options every engine command shares. */
final class CommonOptions {
    @Option(names = "--threads", description = "Worker threads (default: the number of cores, ${DEFAULT-VALUE}).")
    int threads = ThreadPool.defaultThreads();

    @Option(names = "--verbose", description = "Print stack traces on errors.")
    boolean verbose;

    int threads() {
        if (threads < 1) {
            throw new IllegalArgumentException("--threads must be at least 1, got " + threads);
        }
        return threads;
    }
}
