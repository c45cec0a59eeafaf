package dev.loraflow.model.experiment;

/** One sentence said in the base language and in the made-up language. */
public record Bilingual(String base, String madeUp) {
    static Bilingual join(Bilingual... parts) {
        StringBuilder b = new StringBuilder();
        StringBuilder m = new StringBuilder();
        for (Bilingual p : parts) {
            b.append(b.isEmpty() ? "" : " ").append(p.base);
            m.append(m.isEmpty() ? "" : " ").append(p.madeUp);
        }
        return new Bilingual(b.toString(), m.toString());
    }
}
