package dev.loraflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The relaunched JVM's heap options: the serial collector and a small young generation for inference commands, unless the user sized the heap or chose a collector. */
class LauncherTest {
    private static final List<String> YOUNG = Launcher.INFERENCE_HEAP;

    @Test
    void inferenceCommandsGetASmallYoungGeneration() {
        assertEquals(YOUNG, Launcher.heapOptions(List.of(), new String[] {"bench", "--model", "m"}));
        assertEquals(YOUNG, Launcher.heapOptions(List.of("-Dfoo=1", "-XX:+UnlockDiagnosticVMOptions"), new String[] {"generate", "--model", "m"}));
        assertEquals(YOUNG, Launcher.heapOptions(List.of(), new String[] {"--verbose", "eval"}));
    }

    @Test
    void trainingAndOtherCommandsKeepTheDefaults() {
        assertEquals(List.of(), Launcher.heapOptions(List.of(), new String[] {"train-gate", "--model", "m"}));
        assertEquals(List.of(), Launcher.heapOptions(List.of(), new String[] {"bench-train", "--model", "m"}));
        assertEquals(List.of(), Launcher.heapOptions(List.of(), new String[] {"--help"}));
        assertEquals(List.of(), Launcher.heapOptions(List.of(), new String[] {}));
    }

    @Test
    void theUsersHeapSizingWins() {
        for (String option : List.of("-Xmx2g", "-Xmn64m", "-Xms1g", "-XX:MaxNewSize=64m", "-XX:NewRatio=3",
                "-XX:MaxHeapSize=2g", "-XX:MaxRAMPercentage=50", "-XX:+UseG1GC", "-XX:+UseZGC")) {
            assertEquals(List.of(), Launcher.heapOptions(List.of(option), new String[] {"bench"}), option);
        }
    }
}
