package dev.loraflow.tokenizer;

/** Applies the tokenizer.json normalizer before the pre-tokenizer and model see a segment. */
final class NormalizedSegments implements SegmentEncoder {
    private final TextNormalizer normalizer;
    private final SegmentEncoder next;

    NormalizedSegments(TextNormalizer normalizer, SegmentEncoder next) {
        this.normalizer = normalizer;
        this.next = next;
    }

    @Override
    public void encode(String segment, boolean atTextStart, IntList out) {
        next.encode(normalizer.normalize(segment, atTextStart), atTextStart, out);
    }
}
