package dev.loraflow.model.data;

import dev.loraflow.core.LoraflowException;
import dev.loraflow.model.LanguageModel;
import dev.loraflow.tokenizer.Tokenizer;
import java.util.Arrays;
import java.util.function.Function;

/**
 * Turns records into token ids and loss masks.
 *
 * <p>Prompt and response are encoded separately: {@code encodePrompt(prompt)} (with BOS, exactly the ids a
 * generation from that prompt starts with) followed by {@code encode(response, addSpecialTokens=false,
 * parseSpecial=false)} and the EOS id. Keeping the prompt ids identical to the generation's is why we do not
 * encode {@code prompt + response} and mask by length (HF's habit), which can merge tokens across the seam.
 * A SentencePiece tokenizer (Llama 2) puts its "▁" dummy prefix before the response, so {@code "A:"} + {@code "4"}
 * reads "A: 4" and the response should be written without a leading space; a byte-level tokenizer
 * (Llama 3) adds nothing, so there the response should carry its own leading space.
 * A text record is {@code encodePrompt(text)} + EOS with every token after the first a target.
 */
public final class ExampleEncoder {
    private final Function<String, int[]> promptEncoder;
    private final Tokenizer tokenizer;
    private final int eosId;
    private final int maxLength;

    public ExampleEncoder(Function<String, int[]> promptEncoder, Tokenizer tokenizer, int eosId, int maxLength) {
        if (maxLength < 2) {
            throw new LoraflowException("the maximum example length must be at least 2 tokens, got " + maxLength);
        }
        this.promptEncoder = promptEncoder;
        this.tokenizer = tokenizer;
        this.eosId = eosId;
        this.maxLength = maxLength;
    }

    /** The model's own prompt encoding and EOS id, examples cut to {@code maxLength} tokens. */
    public static ExampleEncoder forModel(LanguageModel lm, int maxLength) {
        return new ExampleEncoder(lm::encodePrompt, lm.tokenizer(), eosId(lm), maxLength);
    }

    /** The tokenizer's EOS id, else the first of config.json's. */
    public static int eosId(LanguageModel lm) {
        if (lm.tokenizer().eosId().isPresent()) {
            return lm.tokenizer().eosId().getAsInt();
        }
        int[] configured = lm.config().eosTokenIds();
        if (configured.length == 0) {
            throw new LoraflowException("the model defines no EOS token (tokenizer.json or config.json eos_token_id);"
                    + " the loss needs one to end each response");
        }
        return configured[0];
    }

    public int maxLength() {
        return maxLength;
    }

    public Example encode(DataRecord record) {
        return switch (record) {
            case DataRecord.PromptResponse pr -> {
                int[] prompt = promptEncoder.apply(pr.prompt());
                int[] response = tokenizer.encode(pr.response(), false, false);
                yield build(record, prompt, response);
            }
            case DataRecord.PlainText t -> {
                int[] all = promptEncoder.apply(t.text());
                yield build(record, Arrays.copyOf(all, 1), Arrays.copyOfRange(all, 1, all.length));
            }
        };
    }

    /** ids = prompt ++ targets ++ EOS, where the targets and EOS are in the loss; cut to maxLength. */
    private Example build(DataRecord record, int[] prompt, int[] targets) {
        int full = prompt.length + targets.length + 1;
        int n = Math.min(full, maxLength);
        int[] ids = new int[n];
        boolean[] mask = new boolean[n];
        for (int i = 0; i < n; i++) {
            boolean isPrompt = i < prompt.length;
            ids[i] = isPrompt ? prompt[i] : i < prompt.length + targets.length ? targets[i - prompt.length] : eosId;
            mask[i] = !isPrompt && i > 0;
        }
        return new Example(record, ids, mask, Math.min(prompt.length, n), full > n);
    }
}
