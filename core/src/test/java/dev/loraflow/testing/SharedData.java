package dev.loraflow.testing;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Locates reference data in the sibling {@code ../shared} folder. A missing file skips the test
 * with a message naming it, except under CI (environment variable {@code CI} set), where a missing
 * reference is a failure.
 */
public final class SharedData {
    private SharedData() {}

    /** The shared folder: {@code -Dloraflow.shared=...}, else the first {@code shared} beside an ancestor of the working dir. */
    public static Path root() {
        String configured = System.getProperty("loraflow.shared", System.getenv("LORAFLOW_SHARED"));
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured).toAbsolutePath();
        }
        Path dir = Path.of("").toAbsolutePath();
        for (Path p = dir; p != null; p = p.getParent()) {
            Path candidate = p.resolveSibling("shared");
            if (p.getParent() != null && Files.isDirectory(candidate.resolve("models"))) {
                return candidate;
            }
        }
        return dir.resolveSibling("shared");
    }

    /** Returns {@code root()/relative}, skipping (or failing under CI) the calling test when it is absent. */
    public static Path require(String relative) {
        Path path = root().resolve(relative);
        if (!Files.exists(path)) {
            String message = "reference data missing: " + path + " (expected the project's ../shared folder)";
            if (System.getenv("CI") != null) {
                fail(message + "; CI is set, so a missing reference is a failure");
            }
            assumeTrue(false, message + "; skipping");
        }
        return path;
    }
}
