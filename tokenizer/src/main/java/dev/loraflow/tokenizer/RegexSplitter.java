package dev.loraflow.tokenizer;

import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The Split pre-tokenizer with {@code Isolated} behaviour: every match is a piece, and so is every gap between matches. */
final class RegexSplitter {
    private final Pattern pattern;

    RegexSplitter(Pattern pattern) {
        this.pattern = pattern;
    }

    void split(String text, Consumer<String> pieces) {
        Matcher matcher = pattern.matcher(text);
        int end = 0;
        while (matcher.find()) {
            if (matcher.start() == matcher.end()) {
                continue; // empty matches do not cut, as in HF
            }
            if (matcher.start() > end) {
                pieces.accept(text.substring(end, matcher.start()));
            }
            pieces.accept(text.substring(matcher.start(), matcher.end()));
            end = matcher.end();
        }
        if (end < text.length()) {
            pieces.accept(text.substring(end));
        }
    }
}
