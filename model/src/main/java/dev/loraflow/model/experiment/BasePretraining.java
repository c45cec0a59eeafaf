package dev.loraflow.model.experiment;

import dev.loraflow.core.DType;
import dev.loraflow.core.LoraflowException;
import dev.loraflow.kernels.ThreadPool;
import dev.loraflow.model.LanguageModel;
import dev.loraflow.model.data.Dataset;
import dev.loraflow.model.data.ExampleEncoder;
import dev.loraflow.model.tools.RandomModelWriter;
import dev.loraflow.model.train.LlamaGraph;
import dev.loraflow.model.train.NoAdapters;
import dev.loraflow.model.train.TrainableBase;
import dev.loraflow.model.train.Trainer;
import dev.loraflow.model.train.TrainingSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The base model: random weights of the configured shape, then full-weight training on base-language text
 * only. Writes a HuggingFace directory (config.json, model.safetensors, tokenizer files) that the engine opens.
 */
final class BasePretraining {
    private BasePretraining() {}

    /** @param tokenizerDir where tokenizer.json and tokenizer_config.json are */
    static void run(ReproduceConfig config, int vocabSize, Path tokenizerDir, Path baseText, long seed, int threads,
                    Path initDir, Path outDir, ExperimentLog log) {
        try (ThreadPool pool = new ThreadPool(threads)) {
            new RandomModelWriter(pool).write(config.shape(vocabSize), DType.F32, seed, initDir);
        }
        copyTokenizer(tokenizerDir, initDir);
        try (LanguageModel lm = LanguageModel.open(initDir, threads)) {
            TrainableBase base = new TrainableBase(lm.model());
            Dataset text = Dataset.load(baseText, ExampleEncoder.forModel(lm, config.maxLength()));
            TrainingSettings settings = ReproduceConfig.reseeded(config.pretrain(), seed);
            new Trainer(new LlamaGraph(lm.config(), base, new NoAdapters(), false), base.parameters(), lm.pool(),
                    TokenizerFiles.UNK).train(text, null, settings, log.training("pretrain base"));
            base.save(outDir.resolve("model.safetensors"));
        }
        copy(initDir.resolve("config.json"), outDir);
        copyTokenizer(tokenizerDir, outDir);
    }

    static void copyTokenizer(Path from, Path to) {
        copy(from.resolve("tokenizer.json"), to);
        copy(from.resolve("tokenizer_config.json"), to);
    }

    private static void copy(Path file, Path dir) {
        try {
            Files.createDirectories(dir);
            Files.copy(file, dir.resolve(file.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new LoraflowException("cannot copy " + file + " to " + dir + ": " + e.getMessage(), e);
        }
    }
}
