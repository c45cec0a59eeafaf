package dev.loraflow.model.tools;

import dev.loraflow.model.llama.LayerWeights;
import dev.loraflow.model.llama.Linear;
import dev.loraflow.model.llama.LlamaModel;

/** Weight bytes one decode step must stream from memory: every layer matrix and lm_head, once each. */
final class DecodeTraffic {
    private DecodeTraffic() {}

    /** The embedding row looked up per token is left out: it is one row of one matrix. */
    static long bytesPerToken(LlamaModel model) {
        long bytes = model.lmHead().weightBytes();
        for (LayerWeights l : model.layers()) {
            for (Linear lin : LlamaModel.linears(l)) {
                bytes += lin.weightBytes();
            }
        }
        return bytes;
    }
}
