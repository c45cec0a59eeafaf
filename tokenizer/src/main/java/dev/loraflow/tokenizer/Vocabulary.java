package dev.loraflow.tokenizer;

import java.util.OptionalInt;

/** Every id's token string and which ids are special. Ids without a token (gaps) are invalid. */
final class Vocabulary {
    private final String[] tokens;
    private final boolean[] special;
    private final java.util.Map<String, Integer> ids = new java.util.HashMap<>();

    Vocabulary(String[] tokens, boolean[] special) {
        this.tokens = tokens;
        this.special = special;
        for (int id = 0; id < tokens.length; id++) {
            if (tokens[id] != null) {
                ids.putIfAbsent(tokens[id], id);
            }
        }
    }

    int size() {
        return tokens.length;
    }

    String token(int id) {
        checkId(id);
        return tokens[id];
    }

    boolean isSpecial(int id) {
        checkId(id);
        return special[id];
    }

    OptionalInt id(String token) {
        Integer id = token == null ? null : ids.get(token);
        return id == null ? OptionalInt.empty() : OptionalInt.of(id);
    }

    boolean contains(int id) {
        return id >= 0 && id < tokens.length && tokens[id] != null;
    }

    void checkId(int id) {
        if (!contains(id)) {
            throw new TokenizerException("token id " + id + " is not in the vocabulary (vocab size " + tokens.length
                    + ", valid ids 0.." + (tokens.length - 1) + "); the ids do not belong to this tokenizer");
        }
    }
}
