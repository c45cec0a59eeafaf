package dev.loraflow.model.eval;

import java.math.BigDecimal;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The last number in a text, the way GSM8K/MGSM answers are scored: "The answer is 1,234." gives 1234.
 * A sign counts only when it is not glued to a preceding word or digit ("3-2" ends in 2, not -2); commas
 * count as thousands separators only in groups of three ("1,234" is 1234, "1,2" is two numbers);
 * a trailing full stop is punctuation ("42." is 42).
 */
public final class FinalNumber {
    private static final Pattern NUMBER = Pattern.compile(
            "(?<![\\p{L}\\p{N}.])([-+\u2212])?(\\d{1,3}(?:,\\d{3})+(?:\\.\\d+)?|\\d+(?:\\.\\d+)?|\\.\\d+)"
                    + "|(?<=[\\p{L}\\p{N}.])(\\d{1,3}(?:,\\d{3})+(?:\\.\\d+)?|\\d+(?:\\.\\d+)?)");

    private FinalNumber() {}

    public static Optional<BigDecimal> in(String text) {
        Matcher m = NUMBER.matcher(text);
        String last = null;
        String sign = null;
        while (m.find()) {
            last = m.group(2) != null ? m.group(2) : m.group(3);
            sign = m.group(1);
        }
        if (last == null) {
            return Optional.empty();
        }
        BigDecimal value = new BigDecimal(last.replace(",", ""));
        return Optional.of(sign != null && !sign.equals("+") ? value.negate() : value);
    }

    /** Numeric equality, so 42, 42.0 and 42.00 agree. */
    public static boolean same(BigDecimal a, BigDecimal b) {
        return a.compareTo(b) == 0;
    }
}
