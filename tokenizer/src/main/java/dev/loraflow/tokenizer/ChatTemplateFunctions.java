package dev.loraflow.tokenizer;

import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** The functions transformers makes available to chat templates. Public and static because jinjava calls them by name. */
public final class ChatTemplateFunctions {
    private ChatTemplateFunctions() {}

    /** {@code raise_exception(message)}: the template rejects the conversation (e.g. roles out of order). */
    public static String raiseException(String message) {
        throw new TokenizerException("chat template: " + message);
    }

    /** {@code strftime_now(format)}: the current local time in Python's strftime format. */
    public static String strftimeNow(String format) {
        return strftime(ZonedDateTime.now(), format);
    }

    static String strftime(ZonedDateTime time, String format) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < format.length(); i++) {
            char c = format.charAt(i);
            if (c != '%' || i + 1 == format.length()) {
                out.append(c);
                continue;
            }
            char directive = format.charAt(++i);
            String pattern = switch (directive) {
                case 'd' -> "dd";
                case 'm' -> "MM";
                case 'Y' -> "yyyy";
                case 'y' -> "yy";
                case 'b' -> "MMM";
                case 'B' -> "MMMM";
                case 'a' -> "EEE";
                case 'A' -> "EEEE";
                case 'H' -> "HH";
                case 'I' -> "hh";
                case 'M' -> "mm";
                case 'S' -> "ss";
                case 'p' -> "a";
                case 'j' -> "DDD";
                default -> null;
            };
            if (pattern != null) {
                out.append(DateTimeFormatter.ofPattern(pattern, Locale.ENGLISH).format(time));
            } else if (directive == '%') {
                out.append('%');
            } else {
                out.append('%').append(directive);
            }
        }
        return out.toString();
    }
}
