package dev.loraflow.model.train;

import dev.loraflow.kernels.ThreadPool;
import dev.loraflow.model.data.Dataset;
import dev.loraflow.model.data.Example;
import dev.loraflow.model.eval.TokenLoss;
import dev.loraflow.model.llama.InferenceSession;
import dev.loraflow.model.llama.LlamaModel;
import dev.loraflow.model.lora.Fusion;

/** Test helper: the token-weighted mean response loss as the inference engine (not the training graph) computes it. */
final class InferenceLoss {
    private InferenceLoss() {}

    static double mean(LlamaModel model, Fusion fusion, Dataset data, ThreadPool pool) {
        TokenLoss total = TokenLoss.ZERO;
        for (Example e : data.examples()) {
            float[] logits = new InferenceSession(model, e.ids().length, pool, fusion).forwardAll(e.ids());
            total = total.plus(TokenLoss.of(logits, model.config().vocabSize(), e.ids(), e.lossMask()));
        }
        return total.mean();
    }
}
