package dev.loraflow.model.experiment;

/**
 * An addition word problem in both languages: "Tom has 3 apples. Tom buys 4 more apples. How many apples does
 * Tom have?" → "Tom has 7 apples." The answer sentence needs the language on its words and arithmetic on its number.
 */
public record WordProblem(Bilingual prompt, Bilingual response, int first, int second) {
    static final int MAX_SUM = 9;

    public int answer() {
        return first + second;
    }

    static WordProblem random(SentenceFactory f, java.util.SplittableRandom r) {
        String name = SentenceFactory.pick(r, SentenceFactory.NAMES);
        String object = SentenceFactory.pick(r, SentenceFactory.OBJECTS);
        // single-digit sums: a lookup a tiny model can learn in minutes, yet one it cannot guess from the prompt
        int a = 1 + r.nextInt(MAX_SUM - 1);
        int b = 1 + r.nextInt(MAX_SUM - a);
        Bilingual prompt = Bilingual.join(f.has(name, a, object),
                f.gains(name, SentenceFactory.pick(r, SentenceFactory.GAIN_VERBS), b, object), f.howMany(name, object));
        return new WordProblem(prompt, f.has(name, a + b, object), a, b);
    }
}
