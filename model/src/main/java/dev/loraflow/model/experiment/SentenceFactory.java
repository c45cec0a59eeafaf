package dev.loraflow.model.experiment;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * Templated sentences in both languages. The base language is English-like (subject–verb–object, articles,
 * the number before the noun); the made-up language has its own word order (subject–object–verb, the noun
 * before the number, adjectives after nouns, no articles) and its own words from a {@link MadeUpLexicon}.
 * Names stay the same and numbers stay digits in both.
 */
public final class SentenceFactory {
    static final List<String> NAMES = List.of("Tom", "Mia", "Sam", "Ana", "Ben", "Lily", "Max", "Zoe", "Leo", "Ivy");
    static final List<String> OBJECTS = List.of("apples", "pears", "books", "cups", "coins", "shells", "stones", "pens",
            "eggs", "cards", "hats", "kites");
    static final List<String> ANIMALS = List.of("dog", "cat", "bird", "horse", "fox", "duck");
    static final List<String> PLACES = List.of("park", "shop", "school", "river", "garden", "market");
    static final List<String> ADJECTIVES = List.of("big", "small", "red", "happy", "old", "green");
    static final List<String> GAIN_VERBS = List.of("buys", "finds", "gets", "picks");
    static final List<String> MOTION_VERBS = List.of("runs", "walks", "flies", "goes");
    private static final List<String> FUNCTION_WORDS = List.of("has", "more", "now", "how many", "to", "likes", "sees",
            "at", "and", "play", "in");

    private final MadeUpLexicon lexicon;

    public SentenceFactory(MadeUpLexicon lexicon) {
        this.lexicon = lexicon;
    }

    /** Every base-language word the lexicon must translate. */
    public static List<String> translatedWords() {
        return Stream.of(OBJECTS, ANIMALS, PLACES, ADJECTIVES, GAIN_VERBS, MOTION_VERBS, FUNCTION_WORDS)
                .flatMap(List::stream).toList();
    }

    /** Every word of the base-language templates, lower case, names excepted: no made-up word may be one. */
    static Set<String> englishWords() {
        Set<String> words = new HashSet<>(List.of("the", "does", "have", "how", "many", "now"));
        translatedWords().forEach(w -> words.addAll(List.of(w.split(" "))));
        return words;
    }

    private String w(String base) {
        return lexicon.of(base);
    }

    /** "Tom has 3 apples." / "Tom zapla 3 vek." */
    public Bilingual has(String name, int n, String object) {
        return new Bilingual(name + " has " + n + " " + object + ".", name + " " + w(object) + " " + n + " " + w("has") + ".");
    }

    /** "Tom buys 4 more apples." / "Tom zapla 4 mor zuki." */
    public Bilingual gains(String name, String verb, int n, String object) {
        return new Bilingual(name + " " + verb + " " + n + " more " + object + ".",
                name + " " + w(object) + " " + n + " " + w("more") + " " + w(verb) + ".");
    }

    /** "Now Tom has 7 apples." */
    public Bilingual nowHas(String name, int n, String object) {
        return new Bilingual("Now " + name + " has " + n + " " + object + ".",
                cap(w("now")) + " " + name + " " + w(object) + " " + n + " " + w("has") + ".");
    }

    /** "How many apples does Tom have?" / "Tom zapla kel vek?" */
    public Bilingual howMany(String name, String object) {
        return new Bilingual("How many " + object + " does " + name + " have?",
                name + " " + w(object) + " " + w("how many") + " " + w("has") + "?");
    }

    /** "The big dog runs to the park." */
    public Bilingual scene(String adjective, String animal, String motion, String place) {
        return new Bilingual("The " + adjective + " " + animal + " " + motion + " to the " + place + ".",
                cap(w(place)) + " " + w("to") + " " + w(animal) + " " + w(adjective) + " " + w(motion) + ".");
    }

    /** "Mia likes the red cups." */
    public Bilingual likes(String name, String adjective, String object) {
        return new Bilingual(name + " likes the " + adjective + " " + object + ".",
                name + " " + w(object) + " " + w(adjective) + " " + w("likes") + ".");
    }

    /** "Tom sees the fox at the river." */
    public Bilingual sees(String name, String animal, String place) {
        return new Bilingual(name + " sees the " + animal + " at the " + place + ".",
                name + " " + w(place) + " " + w("at") + " " + w(animal) + " " + w("sees") + ".");
    }

    /** "Tom and Mia play in the garden." */
    public Bilingual play(String name, String other, String place) {
        return new Bilingual(name + " and " + other + " play in the " + place + ".",
                cap(w(place)) + " " + w("in") + " " + name + " " + w("and") + " " + other + " " + w("play") + ".");
    }

    /**
     * A random sentence of general text. Numbers are random here, never the result of arithmetic, so the
     * language corpora teach the language of quantities but not how to add them.
     */
    public Bilingual randomSentence(SplittableRandom r) {
        String name = pick(r, NAMES);
        return switch (r.nextInt(8)) {
            case 0 -> has(name, 1 + r.nextInt(18), pick(r, OBJECTS));
            case 1 -> gains(name, pick(r, GAIN_VERBS), 1 + r.nextInt(9), pick(r, OBJECTS));
            case 2 -> nowHas(name, 1 + r.nextInt(18), pick(r, OBJECTS));
            case 3 -> howMany(name, pick(r, OBJECTS));
            case 4 -> scene(pick(r, ADJECTIVES), pick(r, ANIMALS), pick(r, MOTION_VERBS), pick(r, PLACES));
            case 5 -> likes(name, pick(r, ADJECTIVES), pick(r, OBJECTS));
            case 6 -> sees(name, pick(r, ANIMALS), pick(r, PLACES));
            default -> play(name, pick(r, NAMES), pick(r, PLACES));
        };
    }

    /** A paragraph of a few random sentences. */
    public Bilingual paragraph(SplittableRandom r, int minSentences, int maxSentences) {
        int n = minSentences + r.nextInt(maxSentences - minSentences + 1);
        List<Bilingual> sentences = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            sentences.add(randomSentence(r));
        }
        return Bilingual.join(sentences.toArray(Bilingual[]::new));
    }

    static <T> T pick(SplittableRandom r, List<T> items) {
        return items.get(r.nextInt(items.size()));
    }

    private static String cap(String word) {
        return Character.toUpperCase(word.charAt(0)) + word.substring(1);
    }
}
