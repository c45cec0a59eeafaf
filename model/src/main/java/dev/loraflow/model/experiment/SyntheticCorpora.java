package dev.loraflow.model.experiment;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loraflow.core.io.AtomicFiles;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * Everything the miniature experiment trains and tests on, generated from one seed: general text in each
 * language (for the base model and the language adapter), base-language word problems (the task adapter), and
 * made-up-language word problems (the target: gate training, dev and test sets, disjoint by prompt).
 */
public record SyntheticCorpora(MadeUpLexicon lexicon, List<String> baseText, List<String> madeUpText,
                               List<WordProblem> taskProblems, List<WordProblem> targetTrain,
                               List<WordProblem> targetDev, List<WordProblem> targetTest) {

    /** How many of each to generate. */
    public record Sizes(int baseParagraphs, int madeUpParagraphs, int taskProblems, int targetTrain, int targetDev,
                        int targetTest) {}

    public static SyntheticCorpora generate(long seed, Sizes sizes) {
        return generate(seed, sizes, MadeUpLexicon.SYLLABLES);
    }

    /** As {@link #generate(long, Sizes)}, the made-up words drawn from {@code words}. */
    public static SyntheticCorpora generate(long seed, Sizes sizes, MadeUpLexicon.WordSource words) {
        SplittableRandom root = new SplittableRandom(seed);
        // one stream per corpus, split in a fixed order, so changing one corpus's size leaves the others alone
        SplittableRandom lexiconRandom = root.split();
        SplittableRandom baseRandom = root.split();
        SplittableRandom madeUpRandom = root.split();
        SplittableRandom taskRandom = root.split();
        SplittableRandom targetRandom = root.split();
        MadeUpLexicon lexicon = MadeUpLexicon.generate(SentenceFactory.translatedWords(), lexiconRandom.nextLong(), words);
        SentenceFactory f = new SentenceFactory(lexicon);
        List<String> base = paragraphs(f, baseRandom, sizes.baseParagraphs(), true);
        List<String> madeUp = paragraphs(f, madeUpRandom, sizes.madeUpParagraphs(), false);
        List<WordProblem> task = Stream.generate(() -> WordProblem.random(f, taskRandom)).limit(sizes.taskProblems()).toList();
        List<WordProblem> target = distinctProblems(f, targetRandom, sizes.targetTrain() + sizes.targetDev() + sizes.targetTest());
        int devEnd = sizes.targetTrain() + sizes.targetDev();
        return new SyntheticCorpora(lexicon, base, madeUp, task, target.subList(0, sizes.targetTrain()),
                target.subList(sizes.targetTrain(), devEnd), target.subList(devEnd, target.size()));
    }

    private static List<String> paragraphs(SentenceFactory f, SplittableRandom r, int count, boolean baseLanguage) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Bilingual p = f.paragraph(r, 3, 6);
            out.add(baseLanguage ? p.base() : p.madeUp());
        }
        return out;
    }

    /** Target problems with distinct prompts, so no test prompt was seen in gate training. */
    private static List<WordProblem> distinctProblems(SentenceFactory f, SplittableRandom r, int count) {
        Set<String> seen = new HashSet<>();
        List<WordProblem> out = new ArrayList<>();
        while (out.size() < count) {
            WordProblem p = WordProblem.random(f, r);
            if (seen.add(p.prompt().madeUp())) {
                out.add(p);
            }
        }
        return out;
    }

    /**
     * What the base model's tokenizer learns its merges from: base-language text and problems only, as a real
     * base model's tokenizer predates the skills added later. Made-up words are then spelled with base-language
     * pieces, whose embeddings pretraining has trained.
     */
    public List<String> baseLanguageText() {
        List<String> all = new ArrayList<>(baseText);
        for (WordProblem p : taskProblems) {
            all.addAll(List.of(p.prompt().base(), p.response().base()));
        }
        return all;
    }

    /** Every text of the experiment: both languages' text and the problems' prompts and answers. */
    public List<String> allText() {
        List<String> all = new ArrayList<>(baseText);
        all.addAll(madeUpText);
        for (List<WordProblem> problems : List.of(taskProblems, targetTrain, targetDev, targetTest)) {
            for (WordProblem p : problems) {
                all.addAll(List.of(p.prompt().base(), p.response().base(), p.prompt().madeUp(), p.response().madeUp()));
            }
        }
        return all;
    }

    /** The JSON Lines files the training stages read, written atomically into {@code dir}. */
    public DataFiles write(Path dir) {
        DataFiles files = DataFiles.in(dir);
        writeText(files.baseText(), baseText);
        writeText(files.madeUpText(), madeUpText);
        writeProblems(files.taskTrain(), taskProblems, true);
        writeProblems(files.targetTrain(), targetTrain, false);
        writeProblems(files.targetDev(), targetDev, false);
        writeProblems(files.targetTest(), targetTest, false);
        return files;
    }

    private static void writeText(Path file, List<String> texts) {
        ObjectMapper json = new ObjectMapper();
        StringBuilder lines = new StringBuilder();
        for (String t : texts) {
            lines.append(json.createObjectNode().put("text", t)).append('\n');
        }
        AtomicFiles.writeString(file, lines.toString());
    }

    private static void writeProblems(Path file, List<WordProblem> problems, boolean baseLanguage) {
        ObjectMapper json = new ObjectMapper();
        StringBuilder lines = new StringBuilder();
        for (WordProblem p : problems) {
            ObjectNode node = json.createObjectNode();
            node.put("prompt", baseLanguage ? p.prompt().base() : p.prompt().madeUp());
            node.put("response", baseLanguage ? p.response().base() : p.response().madeUp());
            lines.append(node).append('\n');
        }
        AtomicFiles.writeString(file, lines.toString());
    }

    /** Where each corpus lives on disk. */
    public record DataFiles(Path baseText, Path madeUpText, Path taskTrain, Path targetTrain, Path targetDev,
                            Path targetTest) {
        static DataFiles in(Path dir) {
            return new DataFiles(dir.resolve("base-text.jsonl"), dir.resolve("madeup-text.jsonl"),
                    dir.resolve("task-train.jsonl"), dir.resolve("target-train.jsonl"), dir.resolve("target-dev.jsonl"),
                    dir.resolve("target-test.jsonl"));
        }
    }
}
