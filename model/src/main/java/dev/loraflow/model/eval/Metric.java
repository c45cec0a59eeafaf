package dev.loraflow.model.eval;

import java.util.Arrays;
import java.util.Locale;

/** How an example is scored. Every metric also measures the teacher-forced loss; only {@link #LOSS} skips generation. */
public enum Metric {
    /** The final number of the generated response equals the final number of the reference. */
    EXACT_NUMBER("exact-number"),
    /** The trimmed generated response equals the trimmed reference. */
    EXACT("exact"),
    /** Loss and perplexity only, no generation. */
    LOSS("loss");

    private final String flag;

    Metric(String flag) {
        this.flag = flag;
    }

    public String flag() {
        return flag;
    }

    public boolean generates() {
        return this != LOSS;
    }

    public static Metric parse(String text) {
        String wanted = text.trim().toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(m -> m.flag.equals(wanted)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown metric '" + text + "'; use exact-number, exact or loss"));
    }
}
