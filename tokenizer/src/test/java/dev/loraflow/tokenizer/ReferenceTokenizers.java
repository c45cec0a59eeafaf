package dev.loraflow.tokenizer;

import dev.loraflow.testing.SharedData;

/**
 * The shared reference tokenizers, loaded once per test JVM (Llama 3's takes seconds to load).
 * Each getter goes through SharedData.require, so tests still skip when ../shared is absent.
 */
final class ReferenceTokenizers {
    private ReferenceTokenizers() {}

    static Tokenizer llama2() {
        SharedData.require("tokenizers/llama2");
        return Llama2.INSTANCE;
    }

    static Tokenizer llama3() {
        SharedData.require("tokenizers/llama3");
        return Llama3.INSTANCE;
    }

    static Tokenizer stories260k() {
        SharedData.require("models/stories260K");
        return Stories.INSTANCE;
    }

    // Holder classes: loaded on first use, immutable afterwards.
    private static final class Llama2 {
        static final Tokenizer INSTANCE = Tokenizer.load(SharedData.require("tokenizers/llama2"));
    }

    private static final class Llama3 {
        static final Tokenizer INSTANCE = Tokenizer.load(SharedData.require("tokenizers/llama3"));
    }

    private static final class Stories {
        static final Tokenizer INSTANCE = Tokenizer.load(SharedData.require("models/stories260K"));
    }
}
