package dev.loraflow.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;

/**
 * The {@code model} section of a BPE tokenizer.json: a word's characters become vocabulary ids
 * (or {@code <0xNN>} byte tokens, or unk), then merges combine them.
 */
final class BpeModel {
    private static final char WORD_START_CHAR = '\u2581';
    private static final String WORD_START = String.valueOf(WORD_START_CHAR);
    private final Map<String, Integer> vocab;
    private final int[] bmpCharIds;
    private final int[] byteFallbackIds;
    private final int unkId;
    private final boolean fuseUnk;
    private final boolean ignoreMerges;
    private final BpeMerger merger;
    /** Id of {@code ▁}, or -1. */
    private final int wordStartId;
    /**
     * No token has a {@code ▁} right after another character (SentencePiece vocabularies), so no
     * merge can cross the start of a {@code ▁}-word and each word is merged on its own: a
     * segment without pre-tokenizer would otherwise be one huge word with one huge heap.
     */
    private final boolean wordStartsAreBoundaries;

    /**
     * @param byteFallback {@code <0xNN>} tokens for characters missing from the vocabulary
     * @param unkId        -1 when the model has no unk token (unknown characters are then dropped, as in HF)
     * @param ignoreMerges a word that is itself in the vocabulary is emitted whole, without merging
     */
    BpeModel(Map<String, Integer> vocab, MergeTable merges, boolean byteFallback, int unkId, boolean fuseUnk,
             boolean ignoreMerges) {
        this.vocab = vocab;
        this.unkId = unkId;
        this.fuseUnk = fuseUnk;
        this.ignoreMerges = ignoreMerges;
        this.merger = new BpeMerger(merges);
        this.bmpCharIds = new int[Character.MAX_VALUE + 1];
        Arrays.fill(bmpCharIds, -1);
        vocab.forEach((token, id) -> {
            if (token.length() == 1) {
                bmpCharIds[token.charAt(0)] = id;
            }
        });
        this.byteFallbackIds = byteFallback ? byteTokenIds(vocab) : null;
        this.wordStartId = vocab.getOrDefault(WORD_START, -1);
        this.wordStartsAreBoundaries = wordStartId >= 0 && !ignoreMerges
                && vocab.keySet().stream().noneMatch(BpeModel::hasWordStartInside);
    }

    private static boolean hasWordStartInside(String token) {
        for (int i = token.indexOf(WORD_START_CHAR, 1); i > 0; i = token.indexOf(WORD_START_CHAR, i + 1)) {
            if (token.charAt(i - 1) != WORD_START_CHAR) {
                return true;
            }
        }
        return false;
    }

    /** {@code <0xNN>} ids; -1 where the vocabulary lacks one. */
    private static int[] byteTokenIds(Map<String, Integer> vocab) {
        int[] ids = new int[256];
        for (int b = 0; b < 256; b++) {
            ids[b] = vocab.getOrDefault(String.format("<0x%02X>", b), -1);
        }
        return ids;
    }

    void encodeWord(String word, IntList out) {
        if (word.isEmpty()) {
            return;
        }
        if (ignoreMerges) {
            Integer whole = vocab.get(word);
            if (whole != null) {
                out.add(whole);
                return;
            }
        }
        int[] symbols = new int[word.length() * 3];
        int count = 0;
        boolean previousWasUnk = false;
        for (int i = 0; i < word.length(); ) {
            int codePoint = word.codePointAt(i);
            int charCount = Character.charCount(codePoint);
            int id = charCount == 1 ? bmpCharIds[word.charAt(i)] : vocab.getOrDefault(word.substring(i, i + charCount), -1);
            i += charCount;
            if (id >= 0) {
                symbols[count++] = id;
                previousWasUnk = false;
                continue;
            }
            int written = appendByteTokens(codePoint, symbols, count);
            if (written > 0) {
                count += written;
                previousWasUnk = false;
            } else if (unkId >= 0 && !(fuseUnk && previousWasUnk)) {
                symbols[count++] = unkId;
                previousWasUnk = true;
            }
        }
        if (!wordStartsAreBoundaries) {
            merger.mergeInto(symbols, 0, count, out);
            return;
        }
        int start = 0;
        for (int i = 1; i < count; i++) {
            if (symbols[i] == wordStartId && symbols[i - 1] != wordStartId) {
                merger.mergeInto(symbols, start, i, out);
                start = i;
            }
        }
        merger.mergeInto(symbols, start, count, out);
    }

    /** Writes the code point's UTF-8 bytes as {@code <0xNN>} ids; 0 when byte fallback is off or a byte token is missing. */
    private int appendByteTokens(int codePoint, int[] symbols, int at) {
        if (byteFallbackIds == null) {
            return 0;
        }
        byte[] bytes = new String(Character.toChars(codePoint)).getBytes(StandardCharsets.UTF_8);
        for (int k = 0; k < bytes.length; k++) {
            int id = byteFallbackIds[bytes[k] & 0xFF];
            if (id < 0) {
                return 0;
            }
            symbols[at + k] = id;
        }
        return bytes.length;
    }
}
