package dev.loraflow.model.train;

/** Hears how training goes: every step, every epoch's end. */
public interface TrainingListener {
    record Step(int step, int totalSteps, int epoch, double loss, double learningRate, double gradNorm,
                long tokens, double tokensPerSecond) {}

    default void started(int totalSteps, int examples) { }

    void step(Step step);

    /** devLoss is NaN when there is no dev set. */
    default void epochEnded(int epoch, double trainLoss, double devLoss) { }

    TrainingListener SILENT = step -> { };
}
