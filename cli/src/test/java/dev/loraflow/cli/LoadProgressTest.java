package dev.loraflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** The load's byte reports become whole-MiB steps of a progress display; a small load shows nothing. */
class LoadProgressTest {
    private static final long MIB = 1L << 20;

    @Test
    void bytesBecomeMebibyteSteps() {
        StringWriter out = new StringWriter();
        LoadOptions.LoadProgress progress = new LoadOptions.LoadProgress(Progress.start("loading", 10, "MiB", new PrintWriter(out)));
        for (int i = 0; i < 9; i++) {
            progress.accept(MIB / 2);
        }
        // a MiB counts once begun, so the display reaches its end with the last bytes (the file's header is never reported)
        assertTrue(out.toString().contains("loading: 5/10 MiB"), out.toString());
        assertTrue(!out.toString().contains("6/10"), "4.5 MiB is 5 steps, not 6: " + out);
        progress.accept(5 * MIB + MIB / 2);
        progress.close();
        progress.close(); // closing twice (after the load, and at the end of the try block) is harmless
        assertTrue(out.toString().contains("loading: 10/10 MiB"), out.toString());
        assertEquals(10, out.toString().lines().count(), "a line per tenth: " + out);
    }

    @Test
    void withoutAProgressDisplayReportsAreIgnored() {
        LoadOptions.LoadProgress silent = new LoadOptions.LoadProgress(null);
        silent.accept(5 * MIB);
        silent.close();
    }
}
