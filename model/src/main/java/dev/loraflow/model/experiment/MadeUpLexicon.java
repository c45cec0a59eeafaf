package dev.loraflow.model.experiment;

import dev.loraflow.core.LoraflowException;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The made-up language's words: one invented word for every base-language word, drawn with a seeded random
 * stream from a {@link WordSource} (syllables for the miniature, pairs of tokenizer pieces for a pretrained base).
 * Names stay as they are (proper nouns) and numbers stay digits, so the only bridge between the two languages
 * is what a model learns.
 */
public final class MadeUpLexicon {
    /** Invents one candidate word; the lexicon draws again when a candidate is taken. */
    @FunctionalInterface
    public interface WordSource {
        String invent(SplittableRandom random);
    }

    /** One or two random syllables: the miniature's words, spelled by whatever tokenizer is learned later. */
    public static final WordSource SYLLABLES = MadeUpLexicon::inventWord;

    private static final String[] ONSETS = {"b", "d", "f", "g", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z", "sh", "kr", "dr"};
    private static final String[] VOWELS = {"a", "e", "i", "o", "u", "ai", "ou"};
    private static final String[] CODAS = {"", "", "", "n", "m", "k", "s", "r"};

    private static final int MAX_DRAWS = 100_000;

    private final Map<String, String> words;

    private MadeUpLexicon(Map<String, String> words) {
        this.words = words;
    }

    /** Invents a distinct word of syllables for each base-language word, deterministically from the seed. */
    public static MadeUpLexicon generate(List<String> baseWords, long seed) {
        return generate(baseWords, seed, SYLLABLES);
    }

    /** Draws a distinct word from {@code source} for each base-language word, deterministically from the seed. */
    public static MadeUpLexicon generate(List<String> baseWords, long seed, WordSource source) {
        SplittableRandom random = new SplittableRandom(seed);
        Set<String> used = new HashSet<>(baseWords); // no invented word may also be a base word
        Map<String, String> words = new LinkedHashMap<>();
        for (String base : baseWords) {
            String word;
            int draws = 0;
            do {
                if (++draws > MAX_DRAWS) {
                    throw new LoraflowException("cannot invent " + baseWords.size() + " distinct made-up words: the"
                            + " word source repeats itself (" + used.size() + " words taken)");
                }
                word = source.invent(random);
            } while (!used.add(word));
            words.put(base, word);
        }
        return new MadeUpLexicon(words);
    }

    private static String inventWord(SplittableRandom random) {
        int syllables = 1 + random.nextInt(2);
        StringBuilder w = new StringBuilder();
        for (int s = 0; s < syllables; s++) {
            w.append(ONSETS[random.nextInt(ONSETS.length)]).append(VOWELS[random.nextInt(VOWELS.length)]);
        }
        return w.append(CODAS[random.nextInt(CODAS.length)]).toString();
    }

    /** The made-up word for a base-language word. */
    public String of(String baseWord) {
        String w = words.get(baseWord);
        if (w == null) {
            throw new IllegalArgumentException("the made-up lexicon has no word for '" + baseWord + "'");
        }
        return w;
    }

    public Map<String, String> entries() {
        return Map.copyOf(words);
    }
}
