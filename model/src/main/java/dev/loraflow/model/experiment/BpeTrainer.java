package dev.loraflow.model.experiment;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Learns a small SentencePiece-style BPE: text is split into words at spaces, each word starting with "▁",
 * and the most frequent adjacent pair inside a word is merged, again and again. Digits are never merged, so
 * every number is one token per digit and arithmetic sees the digits themselves. Ties go to the pair whose
 * text sorts first, so the same corpus always gives the same merges.
 */
public final class BpeTrainer {
    public static final String WORD_START = "\u2581";

    private BpeTrainer() {}

    /** The learned symbols (single characters first, in sorted order) and merges (in the order learned). */
    public record Result(List<String> alphabet, List<String[]> merges) {
        /** Every token the merges create, in merge order (duplicates removed). */
        public List<String> mergedTokens() {
            List<String> out = new ArrayList<>();
            java.util.Set<String> seen = new java.util.HashSet<>(alphabet);
            for (String[] m : merges) {
                if (seen.add(m[0] + m[1])) {
                    out.add(m[0] + m[1]);
                }
            }
            return out;
        }
    }

    public static Result train(List<String> texts, int maxMerges) {
        Map<String, Integer> wordCounts = new TreeMap<>();
        for (String text : texts) {
            for (String word : (WORD_START + text.replace(" ", WORD_START)).split("(?=" + WORD_START + ")")) {
                if (!word.isEmpty()) {
                    wordCounts.merge(word, 1, Integer::sum);
                }
            }
        }
        TreeSet<String> alphabet = new TreeSet<>();
        List<List<String>> words = new ArrayList<>();
        List<Integer> counts = new ArrayList<>();
        wordCounts.forEach((word, count) -> {
            List<String> symbols = new ArrayList<>();
            word.codePoints().forEach(cp -> symbols.add(Character.toString(cp)));
            alphabet.addAll(symbols);
            words.add(symbols);
            counts.add(count);
        });
        List<String[]> merges = new ArrayList<>();
        while (merges.size() < maxMerges) {
            String[] best = mostFrequentPair(words, counts);
            if (best == null) {
                break;
            }
            merges.add(best);
            words.forEach(symbols -> apply(symbols, best));
        }
        return new Result(List.copyOf(alphabet), List.copyOf(merges));
    }

    private static String[] mostFrequentPair(List<List<String>> words, List<Integer> counts) {
        Map<String, Integer> pairCounts = new HashMap<>();
        Map<String, String[]> pairs = new HashMap<>();
        for (int w = 0; w < words.size(); w++) {
            List<String> s = words.get(w);
            for (int i = 0; i + 1 < s.size(); i++) {
                if (hasDigit(s.get(i)) || hasDigit(s.get(i + 1))) {
                    continue;
                }
                String key = s.get(i) + " " + s.get(i + 1);
                pairCounts.merge(key, counts.get(w), Integer::sum);
                pairs.putIfAbsent(key, new String[] {s.get(i), s.get(i + 1)});
            }
        }
        String bestKey = null;
        int bestCount = 1; // a pair seen once is not worth a token
        for (Map.Entry<String, Integer> e : pairCounts.entrySet()) {
            int c = e.getValue();
            if (c > bestCount || (c == bestCount && bestKey != null && e.getKey().compareTo(bestKey) < 0)) {
                bestKey = e.getKey();
                bestCount = c;
            }
        }
        return bestKey == null ? null : pairs.get(bestKey);
    }

    private static void apply(List<String> symbols, String[] merge) {
        for (int i = 0; i + 1 < symbols.size(); i++) {
            if (symbols.get(i).equals(merge[0]) && symbols.get(i + 1).equals(merge[1])) {
                symbols.set(i, merge[0] + merge[1]);
                symbols.remove(i + 1);
            }
        }
    }

    private static boolean hasDigit(String symbol) {
        return symbol.chars().anyMatch(Character::isDigit);
    }
}
