package dev.loraflow.model.experiment;

import dev.loraflow.model.LanguageModel;
import dev.loraflow.model.data.Dataset;
import dev.loraflow.model.data.Example;
import dev.loraflow.model.eval.EvalSummary;
import dev.loraflow.model.eval.Evaluator;
import dev.loraflow.model.eval.ExampleResult;
import dev.loraflow.model.eval.FusionMode;
import dev.loraflow.model.eval.LoraHubSearch;
import dev.loraflow.model.eval.Metric;
import dev.loraflow.model.eval.ResponseLoss;
import dev.loraflow.model.lora.AdapterStack;
import dev.loraflow.model.lora.Fusion;
import dev.loraflow.model.lora.FusionPolicy;
import dev.loraflow.model.lora.LoraFlowGate;
import dev.loraflow.model.lora.StaticWeights;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Builds the fusion of every {@link FusionMethod} and scores it on the test problems. */
final class MethodEvaluation {
    static final String LANGUAGE = "lang";
    static final String TASK = "task";

    private final LanguageModel lm;
    private final AdapterStack adapters;

    MethodEvaluation(LanguageModel lm, AdapterStack adapters) {
        this.lm = lm;
        this.adapters = adapters;
    }

    /** LoRA-Hub: one weight per adapter searched without gradients on a few target examples. */
    float[] searchLoraHub(List<Example> few, int budget, ExperimentLog log) {
        ResponseLoss loss = new ResponseLoss(lm);
        LoraHubSearch.Result best = new LoraHubSearch(w -> loss.total(few, staticFusion(w)).mean(), adapters.size(),
                budget, (n, w, l, objective) -> { }).run();
        log.line(String.format(Locale.ROOT, "LoRA-Hub: %s = %+.3f, %s = %+.3f (loss %.4f after %d evaluations)",
                adapters.names().get(0), best.weights()[0], adapters.names().get(1), best.weights()[1], best.loss(),
                best.evaluations()));
        return floats(best.weights());
    }

    private Fusion staticFusion(double[] weights) {
        return new Fusion(adapters, StaticWeights.uniform(lm.config().numLayers(), floats(weights)));
    }

    private static float[] floats(double[] values) {
        float[] f = new float[values.length];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) values[i];
        }
        return f;
    }

    /** The fusion each method uses, given the trained gates and LoRA-Hub's weights. */
    Map<FusionMethod, Fusion> fusions(LoraFlowGate learnedStatic, LoraFlowGate loraFlow, float[] loraHub) {
        int layers = lm.config().numLayers();
        List<String> names = adapters.names();
        Map<FusionMethod, Fusion> out = new EnumMap<>(FusionMethod.class);
        out.put(FusionMethod.BASE, lm.baseFusion());
        out.put(FusionMethod.LANGUAGE_ONLY, of(new FusionMode.Single(LANGUAGE).weights(names, layers)));
        out.put(FusionMethod.TASK_ONLY, of(new FusionMode.Single(TASK).weights(names, layers)));
        out.put(FusionMethod.AVERAGE, of(new FusionMode.Average().weights(names, layers)));
        out.put(FusionMethod.LORA_HUB, of(StaticWeights.uniform(layers, loraHub)));
        out.put(FusionMethod.LEARNED_STATIC, of(learnedStatic));
        out.put(FusionMethod.LORA_FLOW, of(loraFlow));
        return out;
    }

    private Fusion of(FusionPolicy policy) {
        return new Fusion(adapters, policy);
    }

    /** Accuracy (final number, greedy) and response loss of every method on the test set. */
    List<MethodScore> score(Map<FusionMethod, Fusion> fusions, Dataset test, int maxTokens, ExperimentLog log) {
        List<MethodScore> scores = new ArrayList<>();
        fusions.forEach((method, fusion) -> {
            Evaluator evaluator = new Evaluator(lm, fusion, Metric.EXACT_NUMBER, maxTokens);
            List<ExampleResult> results = test.examples().stream().map(evaluator::evaluate).toList();
            EvalSummary summary = EvalSummary.of(results);
            scores.add(new MethodScore(method, summary.accuracy(), summary.loss().mean()));
            log.line(String.format(Locale.ROOT, "test %-32s accuracy %5.1f %%  loss %.4f", method.label(),
                    100 * summary.accuracy(), summary.loss().mean()));
        });
        return scores;
    }
}
