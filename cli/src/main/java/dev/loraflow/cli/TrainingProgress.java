package dev.loraflow.cli;

import dev.loraflow.model.train.Trainer;
import dev.loraflow.model.train.TrainingListener;
import java.io.PrintWriter;
import java.util.Locale;

/** Shows training as it goes (step, epoch, loss, tokens/s, ETA) and sums it up at the end. */
final class TrainingProgress implements TrainingListener, AutoCloseable {
    private final String task;
    private final PrintWriter err;
    private Progress progress;

    TrainingProgress(String task, PrintWriter err) {
        this.task = task;
        this.err = err;
    }

    @Override
    public void started(int totalSteps, int examples) {
        err.printf(Locale.ROOT, "%s: %d examples, %d steps%n", task, examples, totalSteps);
        err.flush();
        progress = Progress.start(task, totalSteps, "steps", err);
    }

    @Override
    public void step(Step s) {
        progress.step(String.format(Locale.ROOT, "epoch %d, loss %.4f, lr %.2e, %.0f tok/s", s.epoch(), s.loss(),
                s.learningRate(), s.tokensPerSecond()));
    }

    @Override
    public void epochEnded(int epoch, double trainLoss, double devLoss) {
        progress.println(String.format(Locale.ROOT, "epoch %d: train loss %.4f%s", epoch, trainLoss,
                Double.isNaN(devLoss) ? "" : String.format(Locale.ROOT, ", dev loss %.4f", devLoss)));
    }

    void summary(Trainer.Result r) {
        err.printf(Locale.ROOT, "%s: %d steps, %d tokens in %.1f s (%.0f tok/s); loss %.4f at the first step, %.4f in the last epoch%s%n",
                task, r.steps(), r.tokens(), r.seconds(), r.tokens() / Math.max(r.seconds(), 1e-9), r.firstLoss(),
                r.lastEpochLoss(), r.bestEpoch() > 0
                        ? String.format(Locale.ROOT, "; kept epoch %d (dev loss %.4f)", r.bestEpoch(), r.bestDevLoss()) : "");
        err.flush();
    }

    @Override
    public void close() {
        if (progress != null) {
            progress.close();
        }
    }
}
