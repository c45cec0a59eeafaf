package dev.loraflow.model.train;

import dev.loraflow.core.LoraflowException;

/**
 * The optimisation recipe. {@link #loraFlowDefaults()} is the released LoRA-Flow recipe: AdamW β (0.9, 0.95),
 * eps 1e-5, weight decay 0.1, clipping at norm 1, 5 epochs, cosine to 0 after a linear warm-up over 20 % of the
 * steps, lr 1e-3 at batch 4.
 */
public record TrainingSettings(int epochs, float learningRate, int batchSize, float warmupFraction, float weightDecay,
                               float maxGradNorm, float beta1, float beta2, float eps, long seed, boolean recompute) {
    public TrainingSettings {
        check(epochs >= 1, "--epochs must be at least 1, got " + epochs);
        check(learningRate > 0 && Float.isFinite(learningRate), "--lr must be positive, got " + learningRate);
        check(batchSize >= 1, "--batch-size must be at least 1, got " + batchSize);
        check(warmupFraction >= 0 && warmupFraction <= 1, "--warmup must be a fraction in [0, 1], got " + warmupFraction);
        check(weightDecay >= 0, "--weight-decay must be >= 0, got " + weightDecay);
        check(maxGradNorm >= 0, "--max-grad-norm must be >= 0 (0 = no clipping), got " + maxGradNorm);
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new LoraflowException(message);
        }
    }

    public static TrainingSettings loraFlowDefaults() {
        return new TrainingSettings(5, 1e-3f, 4, 0.2f, 0.1f, 1.0f, 0.9f, 0.95f, 1e-5f, 42L, false);
    }
}
