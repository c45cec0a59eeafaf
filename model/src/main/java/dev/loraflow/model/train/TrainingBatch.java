package dev.loraflow.model.train;

import dev.loraflow.model.data.Example;
import java.util.List;

/**
 * Examples laid end to end as B sequences of length T (right-padded): row b·T + t reads ids[b·T + t] and
 * predicts targets[b·T + t] = the example's next id; counted says which predictions are in the loss (response
 * tokens), so padding and prompts never count. Causal attention keeps padding out of earlier rows.
 */
public record TrainingBatch(int[] ids, int[] targets, boolean[] counted, int sequences, int seqLen) {
    public static TrainingBatch of(List<Example> examples, int padId) {
        int seqLen = 1;
        for (Example e : examples) {
            seqLen = Math.max(seqLen, e.ids().length);
        }
        int rows = examples.size() * seqLen;
        int[] ids = new int[rows];
        int[] targets = new int[rows];
        boolean[] counted = new boolean[rows];
        java.util.Arrays.fill(ids, padId);
        for (int b = 0; b < examples.size(); b++) {
            Example e = examples.get(b);
            int base = b * seqLen;
            System.arraycopy(e.ids(), 0, ids, base, e.ids().length);
            for (int t = 0; t + 1 < e.ids().length; t++) {
                targets[base + t] = e.ids()[t + 1];
                counted[base + t] = e.lossMask()[t + 1];
            }
        }
        return new TrainingBatch(ids, targets, counted, examples.size(), seqLen);
    }

    public int countedTokens() {
        int n = 0;
        for (boolean c : counted) {
            n += c ? 1 : 0;
        }
        return n;
    }
}
