package dev.loraflow.model.experiment;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The made-up language's words: one invented word for every base-language word, built from syllables with a
 * seeded random stream. Names stay as they are (proper nouns) and numbers stay digits, so the only bridge
 * between the two languages is what a model learns.
 */
public final class MadeUpLexicon {
    private static final String[] ONSETS = {"b", "d", "f", "g", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z", "sh", "kr", "dr"};
    private static final String[] VOWELS = {"a", "e", "i", "o", "u", "ai", "ou"};
    private static final String[] CODAS = {"", "", "", "n", "m", "k", "s", "r"};

    private final Map<String, String> words;

    private MadeUpLexicon(Map<String, String> words) {
        this.words = words;
    }

    /** Invents a distinct word for each base-language word, deterministically from the seed. */
    public static MadeUpLexicon generate(List<String> baseWords, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        Set<String> used = new HashSet<>(baseWords); // no invented word may also be a base word
        Map<String, String> words = new LinkedHashMap<>();
        for (String base : baseWords) {
            String word;
            do {
                word = inventWord(random);
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
