package dev.loraflow.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;

/**
 * The {@code model} section of a BPE tokenizer.json: a word's characters become vocabulary ids
 * (or {@code <0xNN>} byte tokens, or unk), then merges combine them.
 */
final class BpeModel {
    private final Map<String, Integer> vocab;
    private final int[] bmpCharIds;
    private final int[] byteFallbackIds;
    private final int unkId;
    private final boolean fuseUnk;
    private final boolean ignoreMerges;
    private final BpeMerger merger;

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
        merger.mergeInto(symbols, count, out);
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
