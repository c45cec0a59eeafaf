package dev.loraflow.tokenizer;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Cuts text at added tokens (leftmost, then longest match, like HF's added vocabulary). Special
 * tokens are only recognised when asked; non-special added tokens always are.
 */
final class AddedTokenSplitter {
    interface Sink {
        void text(String text, boolean atTextStart);

        void token(int id);
    }

    private final BitSet firstChars = new BitSet();
    private final Map<Character, AddedToken[]> byFirstChar = new HashMap<>();

    AddedTokenSplitter(List<AddedToken> tokens) {
        Map<Character, List<AddedToken>> groups = new HashMap<>();
        for (AddedToken token : tokens) {
            if (!token.content().isEmpty()) {
                groups.computeIfAbsent(token.content().charAt(0), c -> new ArrayList<>()).add(token);
            }
        }
        groups.forEach((first, list) -> {
            list.sort(Comparator.comparingInt((AddedToken t) -> t.content().length()).reversed());
            byFirstChar.put(first, list.toArray(AddedToken[]::new));
            firstChars.set(first);
        });
    }

    void split(String text, boolean parseSpecial, Sink sink) {
        int segmentStart = 0;
        int i = 0;
        while (i < text.length()) {
            AddedToken match = firstChars.get(text.charAt(i)) ? longestAt(text, i, parseSpecial) : null;
            if (match == null) {
                i++;
                continue;
            }
            int textEnd = i;
            if (match.lstrip()) {
                while (textEnd > segmentStart && Character.isWhitespace(text.charAt(textEnd - 1))) {
                    textEnd--;
                }
            }
            if (textEnd > segmentStart) {
                sink.text(text.substring(segmentStart, textEnd), segmentStart == 0);
            }
            sink.token(match.id());
            i += match.content().length();
            if (match.rstrip()) {
                while (i < text.length() && Character.isWhitespace(text.charAt(i))) {
                    i++;
                }
            }
            segmentStart = i;
        }
        if (segmentStart < text.length()) {
            sink.text(text.substring(segmentStart), segmentStart == 0);
        }
    }

    private AddedToken longestAt(String text, int at, boolean parseSpecial) {
        for (AddedToken candidate : byFirstChar.get(text.charAt(at))) {
            if ((parseSpecial || !candidate.special()) && text.startsWith(candidate.content(), at)) {
                return candidate;
            }
        }
        return null;
    }
}
