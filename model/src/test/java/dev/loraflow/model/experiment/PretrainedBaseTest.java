package dev.loraflow.model.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loraflow.core.LoraflowException;
import dev.loraflow.model.LanguageModel;
import dev.loraflow.model.data.DataRecord;
import dev.loraflow.model.data.Example;
import dev.loraflow.model.data.ExampleEncoder;
import dev.loraflow.testing.SharedData;
import dev.loraflow.tokenizer.Tokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The experiment on a pretrained base (stories260K): its made-up language, its examples, and a whole smoke run. */
class PretrainedBaseTest {
    private static final String STORIES = "models/stories260K";

    @TempDir
    Path tmp;

    @Test
    void madeUpWordsAreTwoPiecesOfTheModelsOwnVocabularyAndNotEnglish() {
        Path dir = SharedData.require(STORIES);
        BaseModel.Pretrained base = BaseModel.pretrained(dir);
        Tokenizer tokenizer = Tokenizer.load(dir);
        MadeUpLexicon lexicon = SyntheticCorpora.generate(3, sizes(), base.words()).lexicon();
        assertEquals(SentenceFactory.translatedWords().size(), lexicon.entries().size());
        for (String word : lexicon.entries().values()) {
            assertTrue(word.matches("[a-z]{3,6}"), word);
            assertFalse(SentenceFactory.englishWords().contains(word), word);
            int[] ids = tokenizer.encode(word, false, false);
            assertEquals(2, ids.length, word + " encodes as " + pieces(tokenizer, ids));
            assertTrue(tokenizer.tokenText(ids[0]).startsWith("▁"), word);
        }
        assertNotEquals(lexicon.entries(), SyntheticCorpora.generate(4, sizes(), base.words()).lexicon().entries());
    }

    @Test
    void everyTargetExampleAndTextIsInKnownPiecesAndFitsTheContext() {
        Path dir = SharedData.require(STORIES);
        BaseModel.Pretrained base = BaseModel.pretrained(dir);
        SyntheticCorpora corpora = SyntheticCorpora.generate(5, sizes(), base.words());
        int maxLength = Math.min(ReproduceConfig.onPretrained().maxLength(), base.config().maxPositionEmbeddings());
        assertTrue(maxLength <= 512, "stories260K has 512 positions");
        List<DataRecord> records = new ArrayList<>();
        Stream.of(corpora.targetTrain(), corpora.targetDev(), corpora.targetTest()).flatMap(List::stream)
                .forEach(p -> records.add(new DataRecord.PromptResponse(0, p.prompt().madeUp(), p.response().madeUp())));
        corpora.taskProblems().forEach(p -> records.add(new DataRecord.PromptResponse(0, p.prompt().base(), p.response().base())));
        corpora.madeUpText().forEach(t -> records.add(new DataRecord.PlainText(0, t)));
        try (LanguageModel lm = LanguageModel.open(dir, 1)) {
            ExampleEncoder encoder = ExampleEncoder.forModel(lm, maxLength);
            for (DataRecord r : records) {
                Example e = encoder.encode(r);
                assertFalse(e.truncated(), "longer than " + maxLength + " tokens: " + r);
                for (int id : e.ids()) {
                    String piece = lm.tokenizer().tokenText(id);
                    assertTrue(id != 0 && !piece.matches("<0x[0-9A-F]{2}>"), "unknown or byte-fallback piece " + piece + " in " + r);
                }
            }
        }
    }

    @Test
    void aSmokeRunOnStories260kSkipsPretrainingAndWritesTheSevenRowTable() throws Exception {
        Path dir = SharedData.require(STORIES);
        List<String> lines = new ArrayList<>();
        Path out = tmp.resolve("run");
        MiniatureExperiment.Outcome outcome = new MiniatureExperiment(ReproduceConfig.smoke(), BaseModel.pretrained(dir),
                "loraflow reproduce --base-model " + dir, 2, new ExperimentLog(lines::add)).run(7, 1, out);
        String report = Files.readString(out.resolve("results.md"));
        assertEquals(outcome.report(), report);
        assertTrue(report.startsWith("# LoRA-Flow's miniature experiment on stories260K"), report);
        assertTrue(report.contains("--base-model " + dir), report);
        long rows = report.lines().filter(l -> l.startsWith("| ") && !l.startsWith("| Method")).count();
        assertEquals(FusionMethod.values().length, rows, report);
        Path seed = out.resolve("seed-7");
        assertFalse(Files.exists(seed.resolve("base")), "no base model is trained");
        assertTrue(lines.stream().noneMatch(l -> l.contains("pretrain")), String.join("\n", lines));
        for (String file : List.of("adapters/lang/adapter_model.safetensors", "gates/loraflow.safetensors",
                "gates/static.safetensors", "lora-hub.json", "scores.json")) {
            assertTrue(Files.isRegularFile(seed.resolve(file)), file + " missing");
        }
        assertTrue(Files.readString(seed.resolve("adapters/task/adapter_config.json")).contains("\"stories260K\""));
    }

    @Test
    void aBaseModelThatIsMissingOrNotALlamaIsRefusedByPath() throws Exception {
        Path missing = tmp.resolve("nowhere");
        LoraflowException none = assertThrows(LoraflowException.class, () -> BaseModel.pretrained(missing));
        assertEquals("--base-model " + missing + ": no such directory", none.getMessage());

        Path empty = Files.createDirectories(tmp.resolve("empty"));
        LoraflowException noConfig = assertThrows(LoraflowException.class, () -> BaseModel.pretrained(empty));
        assertTrue(noConfig.getMessage().startsWith("--base-model " + empty + " has no config.json"), noConfig.getMessage());

        Path gpt2 = Files.createDirectories(tmp.resolve("gpt2"));
        Files.writeString(gpt2.resolve("config.json"), "{\"model_type\": \"gpt2\", \"architectures\": [\"GPT2LMHeadModel\"]}");
        LoraflowException notLlama = assertThrows(LoraflowException.class, () -> BaseModel.pretrained(gpt2));
        assertTrue(notLlama.getMessage().startsWith("--base-model " + gpt2 + " is not a Llama model directory"), notLlama.getMessage());
    }

    private static SyntheticCorpora.Sizes sizes() {
        return new SyntheticCorpora.Sizes(0, 200, 200, 200, 50, 300);
    }

    private static String pieces(Tokenizer tokenizer, int[] ids) {
        List<String> out = new ArrayList<>();
        for (int id : ids) {
            out.add(tokenizer.tokenText(id));
        }
        return out.toString();
    }
}
