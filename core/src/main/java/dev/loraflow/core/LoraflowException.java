package dev.loraflow.core;

/**
 * Base of every error the engine reports about its inputs (files, shapes, flags). Messages are
 * written for the user: they name the file or field at fault and say what to do about it.
 */
public class LoraflowException extends RuntimeException {
    public LoraflowException(String message) {
        super(message);
    }

    public LoraflowException(String message, Throwable cause) {
        super(message, cause);
    }
}
