package dev.loraflow.model.generate;

import dev.loraflow.core.LoraflowException;
import dev.loraflow.model.llama.InferenceSession;
import java.util.Arrays;
import java.util.function.IntPredicate;

/**
 * Runs prefill on a prompt, then decodes token by token until an end-of-sequence id or maxTokens. After the
 * per-call setup (the sampler's buffers and the result array), a token allocates nothing on the heap except
 * whatever the listener does with it.
 */
public final class Generator {
    private Generator() {}

    /** Returns the generated ids (the EOS id, when hit, is included as the last one). */
    public static int[] generate(InferenceSession session, int[] promptIds, SamplingParams params,
                                 IntPredicate isEos, TokenListener listener) {
        if (promptIds.length == 0) {
            throw new LoraflowException("the prompt has no tokens; start from at least the BOS token");
        }
        int room = session.capacity() - session.position() - promptIds.length;
        int limit = Math.min(params.maxTokens(), Math.max(0, room + 1));
        Sampler sampler = new Sampler(params, session.model().config().vocabSize());
        for (int id : promptIds) {
            sampler.observe(id);
        }
        int[] out = new int[limit];
        int count = 0;
        if (limit == 0) {
            return out;
        }
        float[] logits = session.forward(promptIds, 0, promptIds.length);
        int[] one = new int[1];
        while (true) {
            int next = sampler.sample(logits);
            out[count++] = next;
            sampler.observe(next);
            listener.onToken(next);
            if (isEos.test(next) || count == limit) {
                break;
            }
            one[0] = next;
            logits = session.forward(one, 0, 1);
        }
        return count == out.length ? out : Arrays.copyOf(out, count);
    }
}
