package dev.loraflow.model.tools;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * This process's resident memory as Linux reports it in {@code /proc/self/status}. Mapped weight
 * pages count once they are touched, so RSS after a forward pass shows what a model really costs.
 * Elsewhere (no procfs) the values are empty.
 */
public final class ProcessMemory {
    private static final Path STATUS = Path.of("/proc/self/status");

    private ProcessMemory() {}

    /** Current resident set size in bytes (VmRSS). */
    public static OptionalLong residentBytes() {
        return field(STATUS, "VmRSS");
    }

    /** Peak resident set size in bytes since the process started (VmHWM). */
    public static OptionalLong peakResidentBytes() {
        return field(STATUS, "VmHWM");
    }

    /** A "Name:   123 kB" line of a status file, in bytes. */
    static OptionalLong field(Path status, String name) {
        try {
            for (String line : Files.readAllLines(status)) {
                if (line.startsWith(name + ":")) {
                    String[] parts = line.substring(name.length() + 1).trim().split("\\s+");
                    long kib = Long.parseLong(parts[0]);
                    return OptionalLong.of(parts.length > 1 && parts[1].equalsIgnoreCase("kB") ? kib * 1024 : kib);
                }
            }
        } catch (IOException | NumberFormatException e) {
            // not Linux, or an unexpected format: report nothing rather than a wrong figure
        }
        return OptionalLong.empty();
    }
}
