package dev.loraflow.model.data;

/** One parsed line of a JSON Lines data file, before tokenisation. */
public sealed interface DataRecord permits DataRecord.PromptResponse, DataRecord.PlainText {
    /** The 1-based line number in the file, for messages. */
    int line();

    /** {@code {"prompt": ..., "response": ...}}: the loss counts the response tokens and EOS. */
    record PromptResponse(int line, String prompt, String response) implements DataRecord {}

    /** {@code {"text": ...}}: the loss counts every token after BOS, and EOS. */
    record PlainText(int line, String text) implements DataRecord {}
}
