package dev.loraflow.tokenizer;

import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalInt;

/** Text to token ids and back, the way the model's own tokenizer files define it. */
public interface Tokenizer {
    /** Loads from a model directory: tokenizer.json (+ tokenizer_config.json if present); else a tiktoken-format tokenizer.model. */
    static Tokenizer load(Path modelDir) throws TokenizerException {
        return TokenizerLoader.load(modelDir);
    }

    /** Encodes with the special tokens the post-processor / tokenizer_config.json add (e.g. BOS); special-token text NOT parsed. */
    default int[] encode(String text) {
        return encode(text, true, false);
    }

    /**
     * @param addSpecialTokens add what the post-processor / tokenizer_config.json add (BOS, EOS)
     * @param parseSpecial     turn special-token text such as {@code <|eot_id|>} in {@code text} into its id
     */
    int[] encode(String text, boolean addSpecialTokens, boolean parseSpecial);

    /** Decodes keeping special tokens as their text. */
    default String decode(int[] ids) {
        return decode(ids, false);
    }

    String decode(int[] ids, boolean skipSpecialTokens);

    StreamingDecoder streamingDecoder(boolean skipSpecialTokens);

    /** Number of ids, added tokens included (largest id + 1). */
    int vocabSize();

    OptionalInt bosId();

    OptionalInt eosId();

    /** The raw vocabulary string of an id, e.g. {@code ▁the}, {@code Ġthe}, {@code <0x0A>}. */
    String tokenText(int id);

    boolean isSpecial(int id);

    /** tokenizer_config.json's {@code chat_template}, when it has one. */
    Optional<ChatTemplate> chatTemplate();
}
