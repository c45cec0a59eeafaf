package dev.loraflow.model.eval;

import dev.loraflow.core.LoraflowException;
import dev.loraflow.model.LanguageModel;
import dev.loraflow.model.data.DataRecord;
import dev.loraflow.model.data.Example;
import dev.loraflow.model.generate.SamplingParams;
import dev.loraflow.model.lora.Fusion;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** Scores examples under one fusion: teacher-forced loss always, greedy generation when the metric asks. */
public final class Evaluator {
    private final LanguageModel lm;
    private final Fusion fusion;
    private final Metric metric;
    private final int maxTokens;
    private final ResponseLoss responseLoss;

    public Evaluator(LanguageModel lm, Fusion fusion, Metric metric, int maxTokens) {
        if (metric.generates() && maxTokens < 1) {
            throw new IllegalArgumentException("--max-tokens must be at least 1, got " + maxTokens);
        }
        this.lm = lm;
        this.fusion = fusion;
        this.metric = metric;
        this.maxTokens = maxTokens;
        this.responseLoss = new ResponseLoss(lm);
    }

    /**
     * Checks, before any work, that every example can be scored by the metric: generating metrics need
     * prompt/response lines, and exact-number needs a number in every reference.
     */
    public static void checkScorable(Path file, List<Example> examples, Metric metric) {
        for (Example e : examples) {
            DataRecord r = e.source();
            if (metric.generates() && !(r instanceof DataRecord.PromptResponse)) {
                throw new LoraflowException(file + " line " + r.line() + ": --metric " + metric.flag()
                        + " needs {\"prompt\", \"response\"} lines; a {\"text\"} line can only be scored with --metric loss");
            }
            if (metric == Metric.EXACT_NUMBER && r instanceof DataRecord.PromptResponse pr
                    && FinalNumber.in(pr.response()).isEmpty()) {
                throw new LoraflowException(file + " line " + r.line()
                        + ": the reference response has no number to compare with; use --metric exact for it");
            }
        }
    }

    public ExampleResult evaluate(Example example) {
        TokenLoss loss = responseLoss.of(example, fusion);
        int line = example.source().line();
        if (!metric.generates()) {
            return new ExampleResult(line, loss, example.truncated(), null, null, null, null);
        }
        String reference = ((DataRecord.PromptResponse) example.source()).response();
        String generated = lm.complete(example.promptIds(), SamplingParams.greedy(maxTokens), fusion, null, piece -> {}).text();
        return switch (metric) {
            case EXACT -> {
                String got = generated.trim();
                String want = reference.trim();
                yield new ExampleResult(line, loss, example.truncated(), generated, got, want, got.equals(want));
            }
            case EXACT_NUMBER -> {
                Optional<BigDecimal> got = FinalNumber.in(generated);
                BigDecimal want = FinalNumber.in(reference).orElseThrow();
                yield new ExampleResult(line, loss, example.truncated(), generated,
                        got.map(BigDecimal::toPlainString).orElse(null), want.toPlainString(),
                        got.isPresent() && FinalNumber.same(got.get(), want));
            }
            case LOSS -> throw new IllegalStateException("the loss metric does not generate");
        };
    }
}
