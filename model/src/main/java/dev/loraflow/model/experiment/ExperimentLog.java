package dev.loraflow.model.experiment;

import dev.loraflow.model.train.TrainingListener;
import java.util.Locale;
import java.util.function.Consumer;

/** Progress lines of a long run, each stamped with the time since the run began. */
public final class ExperimentLog {
    private final Consumer<String> sink;
    private final long start = System.nanoTime();

    public ExperimentLog(Consumer<String> sink) {
        this.sink = sink;
    }

    public static ExperimentLog silent() {
        return new ExperimentLog(line -> { });
    }

    public void line(String message) {
        long seconds = (System.nanoTime() - start) / 1_000_000_000L;
        sink.accept(String.format(Locale.ROOT, "[%02d:%02d] %s", seconds / 60, seconds % 60, message));
    }

    public double elapsedSeconds() {
        return (System.nanoTime() - start) / 1e9;
    }

    /** A training listener that reports about ten times per run, and every epoch's end. */
    public TrainingListener training(String what) {
        return new TrainingListener() {
            private int every = 1;

            @Override
            public void started(int totalSteps, int examples) {
                every = Math.max(1, totalSteps / 10);
                line(String.format(Locale.ROOT, "%s: %d examples, %d steps", what, examples, totalSteps));
            }

            @Override
            public void step(Step s) {
                if (s.step() % every == 0 || s.step() == s.totalSteps()) {
                    line(String.format(Locale.ROOT, "%s: step %d/%d  loss %.4f  %.0f tok/s", what, s.step(),
                            s.totalSteps(), s.loss(), s.tokensPerSecond()));
                }
            }

            @Override
            public void epochEnded(int epoch, double trainLoss, double devLoss) {
                if (!Double.isNaN(devLoss)) {
                    line(String.format(Locale.ROOT, "%s: epoch %d  train loss %.4f  dev loss %.4f", what, epoch,
                            trainLoss, devLoss));
                }
            }
        };
    }
}
