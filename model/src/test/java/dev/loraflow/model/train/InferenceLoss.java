package dev.loraflow.model.train;

import dev.loraflow.kernels.ThreadPool;
import dev.loraflow.model.data.Dataset;
import dev.loraflow.model.data.Example;
import dev.loraflow.model.llama.InferenceSession;
import dev.loraflow.model.llama.LlamaModel;
import dev.loraflow.model.lora.Fusion;

/** Test helper: token-weighted mean response loss computed by the inference engine and a log-softmax written here. */
final class InferenceLoss {
    private InferenceLoss() {}

    static double mean(LlamaModel model, Fusion fusion, Dataset data, ThreadPool pool) {
        int vocab = model.config().vocabSize();
        double sum = 0;
        long count = 0;
        for (Example e : data.examples()) {
            float[] logits = new InferenceSession(model, e.ids().length, pool, fusion).forwardAll(e.ids());
            for (int t = 1; t < e.ids().length; t++) {
                if (!e.lossMask()[t]) {
                    continue;
                }
                int row = (t - 1) * vocab;
                double max = Double.NEGATIVE_INFINITY;
                for (int v = 0; v < vocab; v++) {
                    max = Math.max(max, logits[row + v]);
                }
                double z = 0;
                for (int v = 0; v < vocab; v++) {
                    z += Math.exp(logits[row + v] - max);
                }
                sum += max + Math.log(z) - logits[row + e.ids()[t]];
                count++;
            }
        }
        return sum / count;
    }
}
