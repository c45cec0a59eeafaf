package dev.loraflow.tokenizer;

import java.nio.file.Files;
import java.nio.file.Path;

/** Chooses the tokenizer file of a model directory and the reader for it. */
final class TokenizerLoader {
    private TokenizerLoader() {}

    static Tokenizer load(Path modelDir) {
        if (!Files.isDirectory(modelDir)) {
            throw new TokenizerException("model directory " + modelDir + " does not exist or is not a directory");
        }
        TokenizerConfig config = TokenizerConfig.readIfPresent(modelDir);
        Path configFile = modelDir.resolve(TokenizerConfig.FILE_NAME);
        Path json = modelDir.resolve(HfTokenizerJson.FILE_NAME);
        if (Files.exists(json)) {
            return HfTokenizerJson.read(json, config, configFile);
        }
        Path model = modelDir.resolve(TiktokenModelFile.FILE_NAME);
        if (Files.exists(model)) {
            if (TiktokenModelFile.looksLikeTiktoken(model)) {
                return TiktokenModelFile.read(model, config, configFile);
            }
            throw new TokenizerException(model + " is a SentencePiece protobuf model, which loraflow does not read; put the"
                    + " model's HuggingFace tokenizer.json in " + modelDir);
        }
        throw new TokenizerException("no tokenizer in " + modelDir + ": expected tokenizer.json (HuggingFace) or a"
                + " tiktoken-format tokenizer.model");
    }
}
