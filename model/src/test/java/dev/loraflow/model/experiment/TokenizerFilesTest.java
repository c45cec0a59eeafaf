package dev.loraflow.model.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loraflow.tokenizer.Tokenizer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenizerFilesTest {
    @TempDir
    Path dir;

    private static final SyntheticCorpora CORPORA =
            SyntheticCorpora.generate(11, new SyntheticCorpora.Sizes(200, 200, 100, 50, 10, 50));

    @Test
    void theLearnedTokenizerRoundTripsEveryCorpusText() {
        BpeTrainer.Result bpe = BpeTrainer.train(CORPORA.allText(), 300);
        int vocab = TokenizerFiles.write(bpe, dir);
        Tokenizer tokenizer = Tokenizer.load(dir);
        assertEquals(vocab, tokenizer.vocabSize());
        assertEquals(TokenizerFiles.BOS, tokenizer.bosId().orElseThrow());
        assertEquals(TokenizerFiles.EOS, tokenizer.eosId().orElseThrow());
        long ids = 0;
        long chars = 0;
        for (String text : CORPORA.allText()) {
            int[] encoded = tokenizer.encode(text);
            assertEquals(TokenizerFiles.BOS, encoded[0]);
            assertEquals(text, tokenizer.decode(encoded, true));
            for (int i = 1; i < encoded.length; i++) {
                assertTrue(encoded[i] > 258, "no unknown or byte-fallback token for corpus text: " + text);
                String piece = tokenizer.tokenText(encoded[i]);
                assertTrue(!piece.matches(".*\\d.*") || piece.length() == 1, "digits stay single tokens, got " + piece);
            }
            ids += encoded.length;
            chars += text.length();
        }
        assertTrue(ids * 2 < chars, "merges compress the text: " + ids + " ids for " + chars + " characters");
    }

    @Test
    void textOutsideTheCorporaFallsBackToBytes() {
        TokenizerFiles.write(BpeTrainer.train(CORPORA.allText(), 50), dir);
        Tokenizer tokenizer = Tokenizer.load(dir);
        String text = "Zoë has 3 €";
        assertEquals(text, tokenizer.decode(tokenizer.encode(text), true));
    }

    @Test
    void trainingIsDeterministic() {
        List<String> texts = CORPORA.allText();
        BpeTrainer.Result a = BpeTrainer.train(texts, 120);
        BpeTrainer.Result b = BpeTrainer.train(texts, 120);
        assertEquals(TokenizerFiles.vocabulary(a), TokenizerFiles.vocabulary(b));
        assertEquals(120, a.merges().size());
    }
}
