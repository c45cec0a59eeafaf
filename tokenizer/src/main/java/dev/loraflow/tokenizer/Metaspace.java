package dev.loraflow.tokenizer;

import java.util.ArrayList;
import java.util.List;

/**
 * The Metaspace pre-tokenizer: spaces become {@code ▁}, a {@code ▁} is prepended per the prepend
 * scheme, and with {@code split} the text is cut before every {@code ▁} so merges stay inside words.
 */
record Metaspace(char replacement, PrependScheme prependScheme, boolean split) {
    enum PrependScheme { ALWAYS, FIRST, NEVER }

    List<String> words(String text, boolean atTextStart) {
        String replaced = text.replace(' ', replacement);
        boolean prepend = switch (prependScheme) {
            case ALWAYS -> true;
            case FIRST -> atTextStart;
            case NEVER -> false;
        };
        if (prepend && !replaced.isEmpty() && replaced.charAt(0) != replacement) {
            replaced = replacement + replaced;
        }
        if (!split) {
            return List.of(replaced);
        }
        List<String> words = new ArrayList<>();
        int start = 0;
        for (int i = 1; i < replaced.length(); i++) {
            if (replaced.charAt(i) == replacement) {
                words.add(replaced.substring(start, i));
                start = i;
            }
        }
        if (start < replaced.length()) {
            words.add(replaced.substring(start));
        }
        return words;
    }
}
