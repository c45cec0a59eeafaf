package dev.loraflow.tokenizer;

/** A tokenizer file or input the engine cannot use; the message names the file or field and the fix. */
public final class TokenizerException extends RuntimeException {
    public TokenizerException(String message) {
        super(message);
    }

    public TokenizerException(String message, Throwable cause) {
        super(message, cause);
    }
}
