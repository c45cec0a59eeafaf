package dev.loraflow.model.experiment;

import dev.loraflow.core.LoraflowException;
import dev.loraflow.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Made-up words for a pretrained base model with a SentencePiece vocabulary: a word-initial piece ("▁" and 1–3
 * lower-case letters) followed by a continuation piece (2–3 letters), kept only when the model's tokenizer encodes
 * the word as exactly those two pieces. Every made-up word then costs two tokens the model has embeddings for,
 * like a word of a language it never saw, instead of a string of letters or byte-fallback tokens.
 */
final class PieceWords implements MadeUpLexicon.WordSource {
    private static final String WORD_START = "▁";
    /** Candidates a lexicon needs at the least: a few times the words it translates, so draws rarely repeat. */
    static final int MIN_CANDIDATES = 4 * SentenceFactory.translatedWords().size();

    private final List<String> candidates;

    private PieceWords(List<String> candidates) {
        this.candidates = candidates;
    }

    /** The two-piece words of this tokenizer's vocabulary, in id order; fails when there are too few. */
    static PieceWords of(Tokenizer tokenizer, String source) {
        List<Integer> starts = new ArrayList<>();
        List<Integer> continuations = new ArrayList<>();
        for (int id = 0; id < tokenizer.vocabSize(); id++) {
            String piece = tokenizer.tokenText(id);
            if (piece.startsWith(WORD_START) && piece.substring(1).matches("[a-z]{1,3}")) {
                starts.add(id);
            } else if (piece.matches("[a-z]{2,3}")) {
                continuations.add(id);
            }
        }
        Set<String> english = SentenceFactory.englishWords();
        List<String> words = new ArrayList<>();
        for (int start : starts) {
            for (int rest : continuations) {
                String word = tokenizer.tokenText(start).substring(1) + tokenizer.tokenText(rest);
                if (!english.contains(word)
                        && Arrays.equals(tokenizer.encode(word, false, false), new int[] {start, rest})) {
                    words.add(word);
                }
            }
        }
        if (words.size() < MIN_CANDIDATES) {
            throw new LoraflowException(source + ": its tokenizer has " + words.size() + " two-piece words (\"▁\" + letters,"
                    + " then letters), fewer than the " + MIN_CANDIDATES + " the made-up language needs; it must be"
                    + " a SentencePiece vocabulary of lower-case word pieces");
        }
        return new PieceWords(List.copyOf(words));
    }

    int size() {
        return candidates.size();
    }

    @Override
    public String invent(SplittableRandom random) {
        return candidates.get(random.nextInt(candidates.size()));
    }
}
