package dev.loraflow.cli;

import dev.loraflow.core.io.AtomicFiles;
import dev.loraflow.model.LanguageModel;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "logits", mixinStandardHelpOptions = true,
        description = "Write the logits after each token: float32 little-endian [positions][vocab].")
final class LogitsCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Mixin
    LoadOptions load;

    @Mixin
    FusionOptions fusionOptions;

    @Option(names = "--model", required = true, description = "HuggingFace model directory.")
    Path model;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Input input;

    static final class Input {
        @Option(names = "--prompt", description = "Prompt text (BOS added as the tokenizer says).")
        String prompt;

        @Option(names = "--ids", description = "Token ids, e.g. 1,403,407.")
        String ids;
    }

    @Option(names = "--out", required = true, description = "Output file.")
    Path out;

    @Override
    public Integer call() {
        try (LanguageModel lm = load.open(model, common)) {
            int[] ids = input.ids != null ? IdList.parse(input.ids, "--ids") : lm.encodePrompt(input.prompt);
            float[] logits = lm.newSession(ids.length, fusionOptions.build(lm)).forwardAll(ids);
            ByteBuffer bytes = ByteBuffer.allocate(logits.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            bytes.asFloatBuffer().put(logits);
            AtomicFiles.write(out, o -> o.write(bytes.array()));
            System.err.printf("wrote %d positions x %d logits to %s%n", ids.length, lm.config().vocabSize(), out);
        }
        return 0;
    }
}
