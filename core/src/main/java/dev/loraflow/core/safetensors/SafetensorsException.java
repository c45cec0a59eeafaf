package dev.loraflow.core.safetensors;

import dev.loraflow.core.LoraflowException;

/** A safetensors file that cannot be read as written. The message names the file and, where known, the tensor. */
public final class SafetensorsException extends LoraflowException {
    public SafetensorsException(String message) {
        super(message);
    }

    public SafetensorsException(String message, Throwable cause) {
        super(message, cause);
    }
}
