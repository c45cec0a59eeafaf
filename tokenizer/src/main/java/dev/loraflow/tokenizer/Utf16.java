package dev.loraflow.tokenizer;

/** Java strings may hold lone surrogates, which have no UTF-8 form; they become U+FFFD before encoding. */
final class Utf16 {
    private Utf16() {}

    static String replaceLoneSurrogates(String text) {
        StringBuilder fixed = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!Character.isSurrogate(c)) {
                continue;
            }
            boolean pairStart = Character.isHighSurrogate(c) && i + 1 < text.length()
                    && Character.isLowSurrogate(text.charAt(i + 1));
            if (pairStart) {
                i++;
                continue;
            }
            if (fixed == null) {
                fixed = new StringBuilder(text);
            }
            fixed.setCharAt(i, '\uFFFD');
        }
        return fixed == null ? text : fixed.toString();
    }
}
