package dev.loraflow.tokenizer;

/** Encodes one stretch of plain text (no added tokens inside) into ids. */
interface SegmentEncoder {
    /**
     * @param atTextStart the segment begins the caller's text (not after an added token); SentencePiece
     *                    tokenizers with {@code legacy: false} only add their {@code ▁} prefix there
     */
    void encode(String segment, boolean atTextStart, IntList out);
}
