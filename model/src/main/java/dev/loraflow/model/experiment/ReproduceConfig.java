package dev.loraflow.model.experiment;

import dev.loraflow.core.LoraflowException;
import dev.loraflow.model.tools.ModelShape;
import dev.loraflow.model.train.TrainingSettings;

/**
 * The knobs of the miniature experiment. {@link #standard()} is the published configuration; {@link #smoke()}
 * shrinks everything so the whole pipeline runs in seconds (tests).
 *
 * @param merges        BPE merges to learn
 * @param hidden        model width; the model has {@code layers} layers, {@code heads} heads, {@code kvHeads} KV heads
 * @param pretrain      full-weight training of the base model on base-language text
 * @param adapters      training of each LoRA adapter
 * @param gate          gate training (LoRA-Flow and learned static)
 * @param hubExamples   how many gate-training examples LoRA-Hub measures its loss on
 * @param hubBudget     LoRA-Hub's loss evaluations
 * @param maxTokens     greedy tokens generated per test problem
 */
public record ReproduceConfig(SyntheticCorpora.Sizes sizes, int merges, int hidden, int intermediate, int layers,
                              int heads, int kvHeads, int maxLength, TrainingSettings pretrain, int loraRank,
                              float loraAlpha, TrainingSettings adapters, TrainingSettings gate, int hubExamples,
                              int hubBudget, int maxTokens) {
    public ReproduceConfig {
        if (sizes.targetTest() < 1 || sizes.targetTrain() < 1) {
            throw new LoraflowException("the experiment needs target training and test problems");
        }
        if (hubExamples < 1 || hubExamples > sizes.targetTrain()) {
            throw new LoraflowException("LoRA-Hub needs between 1 and " + sizes.targetTrain() + " examples, got " + hubExamples);
        }
    }

    public static ReproduceConfig standard() {
        return new ReproduceConfig(new SyntheticCorpora.Sizes(4000, 3000, 3000, 200, 50, 300), 300,
                96, 256, 3, 4, 2, 128,
                settings(2, 3e-3f, 16), 16, 32f, settings(3, 5e-3f, 16),
                gateRecipe(2e-2f), 50, 40, 12);
    }

    /**
     * The configuration for a pretrained base model ({@code --base-model}; measured on stories260K): the same gates,
     * LoRA-Hub and test set as {@link #standard()}, smaller adapter corpora so three seeds fit in about 15 minutes on
     * two busy cores (the standard 3,000 + 3,000 examples for 3 epochs take 13 minutes per seed there; the language
     * adapter's loss levels off within a fifth of that). The shape, merges and pretraining fields are unused, and
     * no base-language text is made.
     */
    public static ReproduceConfig onPretrained() {
        return withoutBaseText(standard(), 800, 1500, settings(2, 5e-3f, 16));
    }

    /** {@link #onPretrained()} with {@link #standard()}'s adapter corpora and epochs: stronger adapters, 3 × longer. */
    public static ReproduceConfig onPretrainedFullSize() {
        ReproduceConfig s = standard();
        return withoutBaseText(s, s.sizes().madeUpParagraphs(), s.sizes().taskProblems(), s.adapters());
    }

    private static ReproduceConfig withoutBaseText(ReproduceConfig s, int madeUpParagraphs, int taskProblems,
                                                   TrainingSettings adapters) {
        SyntheticCorpora.Sizes z = s.sizes();
        return new ReproduceConfig(new SyntheticCorpora.Sizes(0, madeUpParagraphs, taskProblems, z.targetTrain(),
                z.targetDev(), z.targetTest()), s.merges(), s.hidden(), s.intermediate(), s.layers(), s.heads(),
                s.kvHeads(), s.maxLength(), s.pretrain(), s.loraRank(), s.loraAlpha(), adapters, s.gate(),
                s.hubExamples(), s.hubBudget(), s.maxTokens());
    }

    /** Everything tiny: a pipeline check, not an experiment. */
    public static ReproduceConfig smoke() {
        return new ReproduceConfig(new SyntheticCorpora.Sizes(40, 30, 30, 12, 4, 6), 40,
                16, 32, 1, 2, 1, 96,
                settings(1, 3e-3f, 8), 2, 4f, settings(1, 2e-3f, 8),
                settings(1, 1e-3f, 4), 4, 6, 4);
    }

    /** AdamW with the LoRA-Flow betas, eps, decay and clipping, at the given epochs, learning rate and batch. */
    static TrainingSettings settings(int epochs, float lr, int batch) {
        TrainingSettings d = TrainingSettings.loraFlowDefaults();
        return new TrainingSettings(epochs, lr, batch, 0.1f, d.weightDecay(), d.maxGradNorm(), d.beta1(), d.beta2(),
                d.eps(), d.seed(), false);
    }

    /**
     * The released LoRA-Flow recipe (AdamW, 5 epochs, batch 4, cosine with 20 % warm-up, clipping 1, decay 0.1)
     * at another learning rate: a gate bias must travel about 1 (from "task only" to "both"), which 250 steps at
     * the recipe's 1e-3 cannot do; Adam moves a parameter at most about lr per step.
     */
    static TrainingSettings gateRecipe(float lr) {
        TrainingSettings d = TrainingSettings.loraFlowDefaults();
        return new TrainingSettings(d.epochs(), lr, d.batchSize(), d.warmupFraction(), d.weightDecay(), d.maxGradNorm(),
                d.beta1(), d.beta2(), d.eps(), d.seed(), d.recompute());
    }

    /** The same recipe with another seed (batch order), so every seed of the experiment differs throughout. */
    static TrainingSettings reseeded(TrainingSettings s, long seed) {
        return new TrainingSettings(s.epochs(), s.learningRate(), s.batchSize(), s.warmupFraction(), s.weightDecay(),
                s.maxGradNorm(), s.beta1(), s.beta2(), s.eps(), seed, s.recompute());
    }

    ModelShape shape(int vocabSize) {
        return new ModelShape("miniature", hidden, intermediate, layers, heads, kvHeads, vocabSize, maxLength, false,
                10000, 1e-5);
    }
}
