package dev.loraflow.core.config;

import dev.loraflow.core.LoraflowException;

/** A config.json the engine cannot run faithfully; the message names the file and the field. */
public final class ConfigException extends LoraflowException {
    public ConfigException(String message) {
        super(message);
    }
}
