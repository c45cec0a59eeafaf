package dev.loraflow.model.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loraflow.model.eval.FinalNumber;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class SyntheticCorporaTest {
    private static final SyntheticCorpora.Sizes SIZES = new SyntheticCorpora.Sizes(50, 50, 100, 100, 20, 300);

    @Test
    void theSameSeedGivesTheSameCorporaAndAnotherSeedOthers() {
        SyntheticCorpora a = SyntheticCorpora.generate(7, SIZES);
        SyntheticCorpora b = SyntheticCorpora.generate(7, SIZES);
        SyntheticCorpora c = SyntheticCorpora.generate(8, SIZES);
        assertEquals(a.lexicon().entries(), b.lexicon().entries());
        assertEquals(a.allText(), b.allText());
        assertNotEquals(a.allText(), c.allText());
        assertNotEquals(a.lexicon().entries(), c.lexicon().entries());
    }

    @Test
    void targetProblemsAreInTheMadeUpLanguageWithCorrectSums() {
        SyntheticCorpora corpora = SyntheticCorpora.generate(3, SIZES);
        List<WordProblem> target = Stream.of(corpora.targetTrain(), corpora.targetDev(), corpora.targetTest())
                .flatMap(List::stream).toList();
        assertEquals(420, target.size());
        for (WordProblem p : target) {
            List<Integer> operands = numbers(p.prompt().madeUp());
            assertEquals(2, operands.size(), p.prompt().madeUp());
            int sum = operands.get(0) + operands.get(1);
            assertEquals(sum, p.answer());
            assertEquals(new BigDecimal(sum), FinalNumber.in(p.response().madeUp()).orElseThrow(), p.response().madeUp());
            assertEquals(new BigDecimal(sum), FinalNumber.in(p.response().base()).orElseThrow());
            assertTrue(sum <= WordProblem.MAX_SUM);
            for (String english : List.of("has", "more", "How", "many", "apples", "buys")) {
                assertFalse(p.prompt().madeUp().contains(english + " "), "made-up prompt has an English word: " + p.prompt().madeUp());
            }
        }
    }

    @Test
    void testPromptsAreNeverGateTrainingOrDevPrompts() {
        SyntheticCorpora corpora = SyntheticCorpora.generate(5, SIZES);
        Set<String> seen = new HashSet<>();
        Stream.of(corpora.targetTrain(), corpora.targetDev()).flatMap(List::stream).forEach(p -> seen.add(p.prompt().madeUp()));
        corpora.targetTest().forEach(p -> assertFalse(seen.contains(p.prompt().madeUp()), p.prompt().madeUp()));
    }

    @Test
    void theTwoLanguagesOrderTheSameSentenceDifferently() {
        MadeUpLexicon lexicon = MadeUpLexicon.generate(SentenceFactory.translatedWords(), 1);
        Bilingual has = new SentenceFactory(lexicon).has("Tom", 3, "apples");
        assertEquals("Tom has 3 apples.", has.base());
        // subject, object, number, verb
        assertEquals("Tom " + lexicon.of("apples") + " 3 " + lexicon.of("has") + ".", has.madeUp());
    }

    private static List<Integer> numbers(String text) {
        Matcher m = Pattern.compile("\\d+").matcher(text);
        List<Integer> out = new ArrayList<>();
        while (m.find()) {
            out.add(Integer.parseInt(m.group()));
        }
        return out;
    }
}
