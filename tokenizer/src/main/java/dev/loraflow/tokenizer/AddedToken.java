package dev.loraflow.tokenizer;

/** An entry of tokenizer.json's {@code added_tokens}: matched in raw text before normalization. */
record AddedToken(int id, String content, boolean special, boolean lstrip, boolean rstrip) {}
