package dev.loraflow.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Collects bytes and releases only complete UTF-8 characters: the bytes of a character whose
 * continuation has not arrived yet are held back. Invalid bytes become U+FFFD.
 */
final class Utf8Assembler {
    private byte[] pending = new byte[0];

    String append(byte[] bytes) {
        byte[] all = Arrays.copyOf(pending, pending.length + bytes.length);
        System.arraycopy(bytes, 0, all, pending.length, bytes.length);
        int complete = completePrefixLength(all);
        pending = Arrays.copyOfRange(all, complete, all.length);
        return new String(all, 0, complete, StandardCharsets.UTF_8);
    }

    String flush() {
        String rest = new String(pending, StandardCharsets.UTF_8);
        pending = new byte[0];
        return rest;
    }

    /** Length of {@code bytes} without a trailing, still-incomplete character. */
    static int completePrefixLength(byte[] bytes) {
        // A character is at most 4 bytes, so only the last 3 can start an unfinished one.
        for (int back = 1; back <= Math.min(3, bytes.length); back++) {
            int b = bytes[bytes.length - back] & 0xFF;
            if ((b & 0xC0) == 0x80) {
                continue; // continuation byte: keep looking for its lead
            }
            int needed = b >= 0xF0 && b <= 0xF4 ? 4 : b >= 0xE0 && b <= 0xEF ? 3 : b >= 0xC2 && b <= 0xDF ? 2 : 1;
            return back < needed ? bytes.length - back : bytes.length;
        }
        return bytes.length;
    }
}
