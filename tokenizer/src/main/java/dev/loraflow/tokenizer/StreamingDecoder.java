package dev.loraflow.tokenizer;

/**
 * Turns generated ids into text one id at a time. Never emits part of a UTF-8 character: bytes of
 * an unfinished character are held until the id that completes it arrives (or {@link #finish()}).
 */
public interface StreamingDecoder {
    /** Text that became complete with this id; may be empty. */
    String push(int id);

    /** Whatever is still held back (an unfinished character becomes U+FFFD). */
    String finish();
}
