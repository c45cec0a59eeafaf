package dev.loraflow.model.generate;

/** Receives each generated token as soon as it is chosen. */
@FunctionalInterface
public interface TokenListener {
    void onToken(int id);
}
