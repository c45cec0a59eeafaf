package dev.loraflow.model.tools;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** The 1, 5 and 15 minute load averages from {@code /proc/loadavg}, reported beside every speed figure. */
public final class LoadAverage {
    private static final Path LOADAVG = Path.of("/proc/loadavg");

    private LoadAverage() {}

    /** E.g. "1.36 1.30 1.66"; empty where the OS does not report it. */
    public static Optional<String> read() {
        try {
            String[] fields = Files.readString(LOADAVG).trim().split("\\s+");
            return fields.length >= 3 ? Optional.of(fields[0] + " " + fields[1] + " " + fields[2]) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty(); // not Linux: no figure rather than a made-up one
        }
    }
}
