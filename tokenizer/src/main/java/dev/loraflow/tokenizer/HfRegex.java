package dev.loraflow.tokenizer;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Compiles a tokenizer.json (Oniguruma) regex with java.util.regex. Oniguruma's {@code \s},
 * {@code \d}, {@code \w} and {@code (?i)} are Unicode-aware, hence UNICODE_CHARACTER_CLASS; script
 * names such as {@code \p{Han}} need Java's {@code Is} prefix. Possessive quantifiers, atomic
 * groups and {@code (?i:...)} mean the same in both engines.
 */
final class HfRegex {
    /** GPT-2's pattern, used by a ByteLevel pre-tokenizer with {@code use_regex: true}. */
    static final String GPT2 = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";

    private static final Pattern PROPERTY = Pattern.compile("\\\\([pP])\\{(\\^?)([A-Za-z_]+)\\}");

    private HfRegex() {}

    static Pattern compile(String hfRegex, String where) {
        return compileJava(toJava(hfRegex), hfRegex, where);
    }

    /**
     * Like {@link #compile} but the result also matches each run of text the regex skips, so a
     * matcher that only collects matches (jtokkit) still sees the gaps, as HF's Isolated split does.
     */
    static Pattern compileCoveringGaps(String hfRegex, String where) {
        String java = toJava(hfRegex);
        return compileJava("(?:" + java + ")|(?:(?!(?:" + java + "))[\\s\\S])+", hfRegex, where);
    }

    private static Pattern compileJava(String javaRegex, String hfRegex, String where) {
        try {
            return Pattern.compile(javaRegex, Pattern.UNICODE_CHARACTER_CLASS);
        } catch (PatternSyntaxException e) {
            throw new TokenizerException(where + ": the regex " + hfRegex + " cannot be compiled in Java ("
                    + e.getDescription() + "); this tokenizer's pre-tokenizer is not supported yet", e);
        }
    }

    static String toJava(String hfRegex) {
        Matcher m = PROPERTY.matcher(hfRegex);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String name = m.group(3);
            // One- and two-letter names are general categories (L, Lu, N...); longer ones are scripts or blocks.
            String javaName = name.length() <= 2 ? name : "Is" + name;
            String negate = m.group(2).isEmpty() ? m.group(1) : (m.group(1).equals("p") ? "P" : "p");
            m.appendReplacement(out, Matcher.quoteReplacement("\\" + negate + "{" + javaName + "}"));
        }
        m.appendTail(out);
        return out.toString();
    }
}
