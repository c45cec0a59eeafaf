package dev.loraflow.cli;

import dev.loraflow.core.LoraflowException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The miniature experiment's artefacts shipped inside the jar (resources under {@code demo/}), copied to a
 * temporary directory because the engine memory-maps weights from files. Deleted again on close.
 */
final class DemoArtefacts implements AutoCloseable {
    static final String BASE = "base";
    static final String GATE = "gate.safetensors";
    static final String RESULTS = "results.md";
    static final String PROBLEM = "problem.json";
    static final List<String> ADAPTERS = List.of("lang", "task");

    /** Every shipped file, relative to demo/ (a jar cannot list its resources). */
    static final List<String> FILES = List.of(
            "base/config.json", "base/model.safetensors", "base/tokenizer.json", "base/tokenizer_config.json",
            "adapters/lang/adapter_config.json", "adapters/lang/adapter_model.safetensors",
            "adapters/task/adapter_config.json", "adapters/task/adapter_model.safetensors",
            GATE, RESULTS, PROBLEM);

    private final Path dir;

    private DemoArtefacts(Path dir) {
        this.dir = dir;
    }

    static DemoArtefacts extract() {
        Path dir;
        try {
            dir = Files.createTempDirectory("loraflow-demo");
        } catch (IOException e) {
            throw new LoraflowException("cannot create a temporary directory for the demo: " + e.getMessage(), e);
        }
        DemoArtefacts artefacts = new DemoArtefacts(dir);
        try {
            for (String file : FILES) {
                try (InputStream in = DemoArtefacts.class.getResourceAsStream("/demo/" + file)) {
                    if (in == null) {
                        throw new LoraflowException("the demo resource demo/" + file + " is missing from the jar; rebuild it");
                    }
                    Path target = dir.resolve(file);
                    Files.createDirectories(target.getParent());
                    Files.copy(in, target);
                }
            }
        } catch (IOException | RuntimeException e) {
            artefacts.close();
            throw e instanceof LoraflowException le ? le
                    : new LoraflowException("cannot unpack the demo into " + dir + ": " + e.getMessage(), e);
        }
        return artefacts;
    }

    Path base() {
        return dir.resolve(BASE);
    }

    Path adapter(String name) {
        return dir.resolve("adapters").resolve(name);
    }

    Path file(String name) {
        return dir.resolve(name);
    }

    @Override
    public void close() {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException ignored) {
            // best effort: a leftover temporary directory is harmless
        }
    }
}
