package dev.loraflow.tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Ids to text. Each id's bytes are computed once from the decoder section (▁ to space,
 * {@code <0xNN>} to a byte, byte-level characters to bytes); the concatenated bytes are decoded
 * as UTF-8 and the decoder's Strip (SentencePiece's leading space) is applied to the start.
 */
final class TokenDecoder {
    private final Vocabulary vocabulary;
    private final byte[][] bytesById;
    private final char stripChar;
    private final int leadingStrip;

    /**
     * @param bytesById    each id's bytes (null where the vocabulary has a gap)
     * @param leadingStrip how many leading {@code stripChar}s of the whole output to drop
     */
    TokenDecoder(Vocabulary vocabulary, byte[][] bytesById, char stripChar, int leadingStrip) {
        this.vocabulary = vocabulary;
        this.bytesById = bytesById;
        this.stripChar = stripChar;
        this.leadingStrip = leadingStrip;
    }

    String decode(int[] ids, boolean skipSpecialTokens) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(ids.length * 4);
        for (int id : ids) {
            if (!(skipSpecialTokens && vocabulary.isSpecial(id))) {
                bytes.writeBytes(bytesOf(id));
            }
        }
        return new LeadingStrip(stripChar, leadingStrip).apply(bytes.toString(StandardCharsets.UTF_8));
    }

    private byte[] bytesOf(int id) {
        vocabulary.checkId(id);
        return bytesById[id];
    }

    StreamingDecoder streaming(boolean skipSpecialTokens) {
        LeadingStrip strip = new LeadingStrip(stripChar, leadingStrip);
        Utf8Assembler assembler = new Utf8Assembler();
        return new StreamingDecoder() {
            @Override
            public String push(int id) {
                if (skipSpecialTokens && vocabulary.isSpecial(id)) {
                    return "";
                }
                return strip.apply(assembler.append(bytesOf(id)));
            }

            @Override
            public String finish() {
                return strip.apply(assembler.flush());
            }
        };
    }

    /** Drops up to N leading copies of a character from text that arrives in chunks. */
    private static final class LeadingStrip {
        private final char c;
        private int remaining;

        LeadingStrip(char c, int count) {
            this.c = c;
            this.remaining = count;
        }

        String apply(String chunk) {
            int cut = 0;
            while (remaining > 0 && cut < chunk.length() && chunk.charAt(cut) == c) {
                cut++;
                remaining--;
            }
            if (cut < chunk.length()) {
                remaining = 0; // only the very start of the output is stripped
            }
            return chunk.substring(cut);
        }
    }
}
