package dev.loraflow.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loraflow.testing.SharedData;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StreamingDecoderTest {

    /** Pushes the ids one by one; returns every chunk, the last being finish(). */
    private static List<String> stream(Tokenizer tokenizer, int[] ids, boolean skipSpecial) {
        StreamingDecoder decoder = tokenizer.streamingDecoder(skipSpecial);
        List<String> chunks = new ArrayList<>();
        for (int id : ids) {
            chunks.add(decoder.push(id));
        }
        chunks.add(decoder.finish());
        return chunks;
    }

    private static void assertWholeCharacters(Tokenizer tokenizer, String text) {
        int[] ids = tokenizer.encode(text);
        List<String> chunks = stream(tokenizer, ids, false);
        for (String chunk : chunks) {
            assertFalse(chunk.contains("\uFFFD"), "a chunk holds half a character: " + chunks);
            assertFalse(!chunk.isEmpty() && Character.isLowSurrogate(chunk.charAt(0)), "split surrogate pair: " + chunks);
        }
        assertEquals(tokenizer.decode(ids), String.join("", chunks));
    }

    @Test
    void byteFallbackPiecesAreHeldUntilTheCharacterIsComplete() {
        // stories260K has 512 tokens, so emoji and CJK are spelled with <0xNN> byte tokens.
        Tokenizer tokenizer = ReferenceTokenizers.stories260k();
        String text = "Hi 🚀 我想 ok";
        int[] ids = tokenizer.encode(text, false, false);
        assertTrue(tokenizer.tokenText(ids[3]).startsWith("<0x"), "expected byte fallback, got " + tokenizer.tokenText(ids[3]));
        List<String> chunks = stream(tokenizer, ids, false);
        assertTrue(chunks.contains(""), "the first bytes of 🚀 must produce no text yet: " + chunks);
        assertWholeCharacters(tokenizer, text);
        assertEquals(text, String.join("", stream(tokenizer, ids, false)));
    }

    @Test
    void byteLevelTokensThatSplitCharactersAreHeld() {
        Tokenizer tokenizer = ReferenceTokenizers.llama3();
        assertWholeCharacters(tokenizer, "កាន់តែពិសេសអាចខលចេញ 😶‍🌫️ 🦙🦙 Cửa Việt");
    }

    @Test
    void firstTokenLosesTheSentencePieceSpaceLikeHfDecode() {
        Tokenizer tokenizer = ReferenceTokenizers.llama2();
        int[] ids = {1, 15043, 3186}; // <s> ▁Hello ▁world
        assertEquals(List.of("<s>", " Hello", " world", ""), stream(tokenizer, ids, false));
        assertEquals(List.of("", "Hello", " world", ""), stream(tokenizer, ids, true));
        assertEquals(tokenizer.decode(ids, true), String.join("", stream(tokenizer, ids, true)));
    }

    @Test
    void unfinishedCharacterAtTheEndBecomesReplacement() {
        Tokenizer tokenizer = ReferenceTokenizers.stories260k();
        int[] rocket = tokenizer.encode("🚀", false, false); // ▁ then four byte tokens
        StreamingDecoder decoder = tokenizer.streamingDecoder(true);
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < rocket.length - 1; i++) {
            out.append(decoder.push(rocket[i]));
        }
        assertEquals("", out.toString());
        assertEquals("\uFFFD", decoder.finish());
    }
}
