package dev.loraflow.model.eval;

import dev.loraflow.model.LanguageModel;
import dev.loraflow.model.data.Example;
import dev.loraflow.model.lora.Fusion;
import java.util.Arrays;
import java.util.List;

/** Teacher-forced loss on the target tokens of examples, one forward pass per example. */
public final class ResponseLoss {
    private final LanguageModel lm;

    public ResponseLoss(LanguageModel lm) {
        this.lm = lm;
    }

    /** The loss of one example under {@code fusion}; zero tokens when the example has no target. */
    public TokenLoss of(Example example, Fusion fusion) {
        if (example.targetCount() == 0) {
            return TokenLoss.ZERO;
        }
        // The last id is only ever a target, so the logits after it are not needed.
        int[] inputs = Arrays.copyOf(example.ids(), example.ids().length - 1);
        float[] logits = lm.newSession(inputs.length, fusion).forwardAll(inputs);
        return TokenLoss.of(logits, lm.config().vocabSize(), example.ids(), example.lossMask());
    }

    /** The loss summed over all examples (so its mean is over all their target tokens). */
    public TokenLoss total(List<Example> examples, Fusion fusion) {
        TokenLoss sum = TokenLoss.ZERO;
        for (Example e : examples) {
            sum = sum.plus(of(e, fusion));
        }
        return sum;
    }
}
