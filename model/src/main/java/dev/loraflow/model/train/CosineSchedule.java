package dev.loraflow.model.train;

/**
 * HuggingFace's {@code get_cosine_schedule_with_warmup}: linear warm-up from 0 over the first
 * warmupSteps, then a half cosine down to 0 at totalSteps. Step numbers start at 0.
 */
public record CosineSchedule(float peak, int totalSteps, int warmupSteps) {
    public CosineSchedule {
        if (totalSteps < 1 || warmupSteps < 0 || warmupSteps > totalSteps) {
            throw new IllegalArgumentException("schedule needs 0 <= warmup (" + warmupSteps + ") <= total steps (" + totalSteps + ")");
        }
    }

    /** Warm-up over a fraction of the steps (the released LoRA-Flow recipe uses 0.2). */
    public static CosineSchedule withWarmupFraction(float peak, int totalSteps, float warmupFraction) {
        return new CosineSchedule(peak, totalSteps, (int) Math.ceil(totalSteps * warmupFraction));
    }

    public float learningRate(int step) {
        if (step < warmupSteps) {
            return peak * step / Math.max(1, warmupSteps);
        }
        double progress = (double) (step - warmupSteps) / Math.max(1, totalSteps - warmupSteps);
        return (float) (peak * Math.max(0, 0.5 * (1 + Math.cos(Math.PI * progress))));
    }
}
