package dev.loraflow.model.experiment;

import dev.loraflow.core.LoraflowException;
import dev.loraflow.core.config.LlamaConfig;
import dev.loraflow.model.LanguageModel;
import dev.loraflow.tokenizer.Tokenizer;
import java.nio.file.Files;
import java.nio.file.Path;

/** Where the experiment's base model comes from, and so which words its made-up language is made of. */
public sealed interface BaseModel permits BaseModel.TrainedHere, BaseModel.Pretrained {
    MadeUpLexicon.WordSource words();

    /** The miniature: a BPE tokenizer and a base model trained here, from random weights, on base-language text. */
    record TrainedHere() implements BaseModel {
        @Override
        public MadeUpLexicon.WordSource words() {
            return MadeUpLexicon.SYLLABLES;
        }
    }

    /**
     * A pretrained Llama directory (e.g. stories260K) used as is, with its own tokenizer; made-up words are pairs of
     * that tokenizer's pieces ({@link PieceWords}).
     */
    record Pretrained(Path dir, LlamaConfig config, MadeUpLexicon.WordSource words) implements BaseModel {
        public String name() {
            return dir.toAbsolutePath().normalize().getFileName().toString();
        }
    }

    static BaseModel trainedHere() {
        return new TrainedHere();
    }

    /** Opens {@code dir} once, before any work, so a wrong path fails at once with a message that names it. */
    static Pretrained pretrained(Path dir) {
        String flag = "--base-model " + dir;
        if (!Files.isDirectory(dir)) {
            throw new LoraflowException(flag + ": no such directory");
        }
        if (!Files.isRegularFile(dir.resolve("config.json"))) {
            throw new LoraflowException(flag + " has no config.json; it must be a HuggingFace Llama model directory"
                    + " (config.json, model.safetensors, tokenizer.json)");
        }
        LlamaConfig config;
        Tokenizer tokenizer;
        try {
            LlamaConfig.load(dir); // the architecture first: its message is the telling one for a non-Llama model
        } catch (RuntimeException e) {
            throw new LoraflowException(flag + " is not a Llama model directory: " + e.getMessage(), e);
        }
        try (LanguageModel lm = LanguageModel.open(dir, 1)) {
            config = lm.config();
            tokenizer = lm.tokenizer();
        } catch (RuntimeException e) {
            throw new LoraflowException(flag + " is not a Llama model directory the engine can open: " + e.getMessage(), e);
        }
        return new Pretrained(dir, config, PieceWords.of(tokenizer, flag));
    }
}
