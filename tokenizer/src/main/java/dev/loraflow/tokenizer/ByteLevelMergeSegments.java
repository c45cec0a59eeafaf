package dev.loraflow.tokenizer;

import java.nio.charset.StandardCharsets;

/**
 * Byte-level BPE with HF's merge semantics (for files with {@code ignore_merges: false}, e.g.
 * GPT-2, Qwen2, SmolLM): regex pieces, spelled in the byte-level alphabet, merged by merge rank.
 */
final class ByteLevelMergeSegments implements SegmentEncoder {
    private final RegexSplitter splitter;
    private final boolean addPrefixSpace;
    private final BpeModel model;

    ByteLevelMergeSegments(RegexSplitter splitter, boolean addPrefixSpace, BpeModel model) {
        this.splitter = splitter;
        this.addPrefixSpace = addPrefixSpace;
        this.model = model;
    }

    @Override
    public void encode(String segment, boolean atTextStart, IntList out) {
        String text = addPrefixSpace && !segment.startsWith(" ") ? " " + segment : segment;
        splitter.split(text, piece -> model.encodeWord(
                ByteLevelAlphabet.encode(piece.getBytes(StandardCharsets.UTF_8)), out));
    }
}
