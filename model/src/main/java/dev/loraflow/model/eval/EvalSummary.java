package dev.loraflow.model.eval;

import java.util.List;

/** Totals over a run: accuracy (when the metric generates) and the token-weighted mean loss. */
public record EvalSummary(int examples, int scored, int correct, TokenLoss loss) {
    public static EvalSummary of(List<ExampleResult> results) {
        int scored = 0;
        int correct = 0;
        TokenLoss loss = TokenLoss.ZERO;
        for (ExampleResult r : results) {
            loss = loss.plus(r.loss());
            if (r.correct() != null) {
                scored++;
                correct += r.correct() ? 1 : 0;
            }
        }
        return new EvalSummary(results.size(), scored, correct, loss);
    }

    /** Fraction correct among scored examples; NaN when none was scored (the loss metric). */
    public double accuracy() {
        return scored == 0 ? Double.NaN : (double) correct / scored;
    }
}
