package dev.loraflow.tokenizer;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.GptBytePairEncodingParams;
import com.knuddels.jtokkit.api.IntArrayList;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Byte-level BPE by jtokkit: tiktoken's rule (a piece in the vocabulary is one token, otherwise merge
 * the adjacent pair whose concatenation has the lowest rank), which is HF's BPE with
 * {@code ignore_merges: true} when ranks are the ids (Llama 3). Special tokens are handled before
 * text reaches here, so jtokkit gets none.
 */
final class TiktokenSegments implements SegmentEncoder {
    private final Encoding encoding;
    private final boolean addPrefixSpace;

    /** @param pattern must match all text (see {@link HfRegex#compileCoveringGaps}); jtokkit drops what it skips */
    TiktokenSegments(String name, Pattern pattern, Map<byte[], Integer> ranks, boolean addPrefixSpace) {
        // A private registry per tokenizer: nothing global is registered.
        this.encoding = Encodings.newLazyEncodingRegistry()
                .registerGptBytePairEncoding(new GptBytePairEncodingParams(name, pattern, ranks, Map.of()))
                .getEncoding(name)
                .orElseThrow();
        this.addPrefixSpace = addPrefixSpace;
    }

    @Override
    public void encode(String segment, boolean atTextStart, IntList out) {
        String text = addPrefixSpace && !segment.startsWith(" ") ? " " + segment : segment;
        IntArrayList ids = encoding.encodeOrdinary(text);
        for (int i = 0; i < ids.size(); i++) {
            out.add(ids.get(i));
        }
    }
}
