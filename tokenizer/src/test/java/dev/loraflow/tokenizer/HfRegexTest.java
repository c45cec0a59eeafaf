package dev.loraflow.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Oniguruma regexes from tokenizer.json, run by java.util.regex; expected pieces worked out by hand. */
class HfRegexTest {
    private static final String QWEN2 = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}"
            + "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

    private static List<String> split(String regex, String text) {
        List<String> pieces = new ArrayList<>();
        new RegexSplitter(HfRegex.compile(regex, "test")).split(text, pieces::add);
        return pieces;
    }

    @Test
    void scriptNamesGetJavasIsPrefixAndNegationIsTranslated() {
        assertEquals("\\p{IsHan}+\\P{L}\\p{Lu}\\P{IsLatin}", HfRegex.toJava("\\p{Han}+\\p{^L}\\p{Lu}\\P{Latin}"));
    }

    @Test
    void caseInsensitiveContractionsAndSingleDigits() {
        assertEquals(List.of("I", "'M", " ", "1", "2", "3", " ok"), split(QWEN2, "I'M 123 ok"));
    }

    @Test
    void whitespaceIsUnicodeAwareLikeOniguruma() {
        // U+3000 is whitespace: \s+(?!\S) keeps one of two ideographic spaces, the other leads "b".
        assertEquals(List.of("a", "\u3000", "\u3000b"), split(QWEN2, "a\u3000\u3000b"));
    }

    @Test
    void gapsBetweenMatchesArePiecesToo() {
        assertEquals(List.of("x", "1", "y", "22", "z"), split("\\d+", "x1y22z"));
    }

    @Test
    void uncompilableRegexIsReportedWithItsSource() {
        TokenizerException e = assertThrows(TokenizerException.class, () -> HfRegex.compile("(?<name", "tokenizer.json pre_tokenizer"));
        assertTrue(e.getMessage().contains("(?<name") && e.getMessage().contains("tokenizer.json pre_tokenizer"), e.getMessage());
    }
}
