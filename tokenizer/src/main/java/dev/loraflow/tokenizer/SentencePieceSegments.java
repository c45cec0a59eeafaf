package dev.loraflow.tokenizer;

/** SentencePiece-style BPE on normalized text: optional Metaspace word split, then the BPE model. */
final class SentencePieceSegments implements SegmentEncoder {
    private final Metaspace metaspace;
    private final BpeModel model;

    /** @param metaspace null when the file has no pre-tokenizer (the whole segment is one word) */
    SentencePieceSegments(Metaspace metaspace, BpeModel model) {
        this.metaspace = metaspace;
        this.model = model;
    }

    @Override
    public void encode(String normalized, boolean atTextStart, IntList out) {
        if (metaspace == null) {
            model.encodeWord(normalized, out);
            return;
        }
        for (String word : metaspace.words(normalized, atTextStart)) {
            model.encodeWord(word, out);
        }
    }
}
