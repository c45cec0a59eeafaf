package dev.loraflow.model.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class TokenLossTest {
    @Test
    void uniformLogitsCostLogVocabPerCountedToken() {
        int vocab = 5;
        float[] logits = new float[3 * vocab];
        TokenLoss loss = TokenLoss.of(logits, vocab, new int[] {1, 3, 4, 0}, new boolean[] {false, false, true, true});
        assertEquals(2, loss.tokens());
        assertEquals(2 * Math.log(5), loss.nll(), 1e-12);
        assertEquals(5, loss.perplexity(), 1e-9);
    }

    @Test
    void hugeLogitsStayFinite() {
        // Row 0 predicts id 1: logits (1000, 998); p(1) = 1 / (1 + e^2).
        float[] logits = {1000f, 998f};
        TokenLoss loss = TokenLoss.of(logits, 2, new int[] {0, 1}, new boolean[] {false, true});
        assertEquals(Math.log(1 + Math.exp(2)), loss.nll(), 1e-9);
    }

    @Test
    void nothingCountedHasNoMean() {
        assertEquals(Double.NaN, TokenLoss.ZERO.mean());
    }
}
