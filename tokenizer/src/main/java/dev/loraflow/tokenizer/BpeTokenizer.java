package dev.loraflow.tokenizer;

import java.util.Optional;
import java.util.OptionalInt;

/** A loaded tokenizer: added-token splitting, per-segment BPE, BOS/EOS wrapping and decoding put together. */
final class BpeTokenizer implements Tokenizer {
    /** The pieces a reader (tokenizer.json or tiktoken) assembles. */
    record Parts(Vocabulary vocabulary, AddedTokenSplitter addedTokens, SegmentEncoder segments,
                 SpecialTokenWrapping wrapping, TokenDecoder decoder, OptionalInt bos, OptionalInt eos,
                 Optional<ChatTemplate> chatTemplate) {}

    private final Parts parts;

    BpeTokenizer(Parts parts) {
        this.parts = parts;
    }

    @Override
    public int[] encode(String text, boolean addSpecialTokens, boolean parseSpecial) {
        String clean = Utf16.replaceLoneSurrogates(text);
        IntList ids = new IntList(clean.length() / 3 + 8);
        if (addSpecialTokens) {
            ids.addAll(parts.wrapping().prefix());
        }
        parts.addedTokens().split(clean, parseSpecial, new AddedTokenSplitter.Sink() {
            @Override
            public void text(String segment, boolean atTextStart) {
                parts.segments().encode(segment, atTextStart, ids);
            }

            @Override
            public void token(int id) {
                ids.add(id);
            }
        });
        if (addSpecialTokens) {
            ids.addAll(parts.wrapping().suffix());
        }
        return ids.toArray();
    }

    @Override
    public String decode(int[] ids, boolean skipSpecialTokens) {
        return parts.decoder().decode(ids, skipSpecialTokens);
    }

    @Override
    public StreamingDecoder streamingDecoder(boolean skipSpecialTokens) {
        return parts.decoder().streaming(skipSpecialTokens);
    }

    @Override
    public int vocabSize() {
        return parts.vocabulary().size();
    }

    @Override
    public OptionalInt bosId() {
        return parts.bos();
    }

    @Override
    public OptionalInt eosId() {
        return parts.eos();
    }

    @Override
    public String tokenText(int id) {
        return parts.vocabulary().token(id);
    }

    @Override
    public boolean isSpecial(int id) {
        return parts.vocabulary().isSpecial(id);
    }

    @Override
    public Optional<ChatTemplate> chatTemplate() {
        return parts.chatTemplate();
    }
}
