package dev.loraflow.model.eval;

/** A sum of negative log-likelihoods (nats) over counted tokens; means are taken over tokens, not examples. */
public record TokenLoss(double nll, int tokens) {
    public static final TokenLoss ZERO = new TokenLoss(0, 0);

    public TokenLoss plus(TokenLoss other) {
        return new TokenLoss(nll + other.nll, tokens + other.tokens);
    }

    /** Mean loss per token; NaN when no token counted. */
    public double mean() {
        return tokens == 0 ? Double.NaN : nll / tokens;
    }

    public double perplexity() {
        return Math.exp(mean());
    }

    /**
     * The loss of the targets of {@code ids} given logits {@code [rows][vocab]}, where row i - 1 predicts ids[i].
     * Log-sum-exp in double, shifted by the row maximum, so large logits neither overflow nor lose the small terms.
     */
    public static TokenLoss of(float[] logits, int vocab, int[] ids, boolean[] mask) {
        double nll = 0;
        int tokens = 0;
        for (int i = 1; i < ids.length; i++) {
            if (!mask[i]) {
                continue;
            }
            int row = (i - 1) * vocab;
            double max = Double.NEGATIVE_INFINITY;
            for (int v = 0; v < vocab; v++) {
                max = Math.max(max, logits[row + v]);
            }
            double sum = 0;
            for (int v = 0; v < vocab; v++) {
                sum += Math.exp(logits[row + v] - max);
            }
            nll += max + Math.log(sum) - logits[row + ids[i]];
            tokens++;
        }
        return new TokenLoss(nll, tokens);
    }
}
