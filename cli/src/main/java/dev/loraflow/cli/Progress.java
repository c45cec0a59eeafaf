package dev.loraflow.cli;

import java.io.PrintWriter;
import java.util.Locale;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;

/**
 * Progress of long work: a bar with rate and ETA on a terminal, otherwise a plain line at every tenth of
 * the work (logs and pipes get no control characters). An optional message (loss, tokens/s) rides along.
 */
final class Progress implements AutoCloseable {
    private final ProgressBar bar;
    private final PrintWriter plain;
    private final String task;
    private final String unit;
    private final int total;
    private final long start = System.nanoTime();
    private int done;

    private Progress(ProgressBar bar, PrintWriter plain, String task, String unit, int total) {
        this.bar = bar;
        this.plain = plain;
        this.task = task;
        this.unit = unit;
        this.total = total;
    }

    /** @param unit what one step is, plural (e.g. "examples", "steps") */
    static Progress start(String task, int total, String unit, PrintWriter err) {
        boolean terminal = System.console() != null && System.console().isTerminal();
        if (terminal) {
            ProgressBar bar = new ProgressBarBuilder().setTaskName(task).setInitialMax(total).showSpeed()
                    .setUnit(" " + unit, 1).build();
            return new Progress(bar, null, task, unit, total);
        }
        return new Progress(null, err, task, unit, total);
    }

    void step() {
        step("");
    }

    void step(String message) {
        done++;
        if (bar != null) {
            bar.setExtraMessage(message);
            bar.step();
            return;
        }
        int every = Math.max(1, total / 10);
        if (done % every == 0 || done == total) {
            double seconds = (System.nanoTime() - start) / 1e9;
            double rate = done / Math.max(seconds, 1e-9);
            plain.printf(Locale.ROOT, "%s: %d/%d %s, %.2f %s/s, ETA %.0f s%s%n", task, done, total, unit, rate, unit,
                    (total - done) / rate, message.isEmpty() ? "" : ", " + message);
            plain.flush();
        }
    }

    /** A line that does not disturb the bar (e.g. an epoch summary). */
    void println(String line) {
        if (bar != null) {
            System.err.print("\r");
            System.err.println(line);
        } else {
            plain.println(line);
            plain.flush();
        }
    }

    @Override
    public void close() {
        if (bar != null) {
            bar.close();
        }
    }
}
