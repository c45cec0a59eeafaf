package dev.loraflow.cli;

import dev.loraflow.core.Tensor;
import dev.loraflow.core.config.LlamaConfig;
import dev.loraflow.core.safetensors.Residency;
import dev.loraflow.core.safetensors.SafetensorsFile;
import dev.loraflow.model.llama.LlamaModel;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "List a safetensors file's tensors, or summarise a model directory.")
final class InspectCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    CommonOptions common;

    @Parameters(paramLabel = "PATH", description = "A .safetensors file or a HuggingFace model directory.")
    Path path;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        if (Files.isDirectory(path)) {
            try (LlamaModel model = LlamaModel.load(path, Residency.MAPPED)) { // reads only the header
                LlamaConfig c = model.config();
                out.println(c);
                out.printf("parameters: %,d%n", model.parameterCount());
                out.printf("weight bytes: %,d (%s)%n", model.weightBytes(), model.weightFormat().label());
            }
        } else if (Files.isRegularFile(path)) {
            try (SafetensorsFile file = SafetensorsFile.open(path)) {
                if (!file.metadata().isEmpty()) {
                    out.println("metadata: " + file.metadata());
                }
                long total = 0;
                for (Tensor t : file.tensors().values()) {
                    out.printf("%-70s %-5s %s%n", t.name(), t.dtype(), Arrays.toString(t.shape()));
                    total += t.numel();
                }
                out.printf("%d tensors, %,d elements%n", file.tensors().size(), total);
            }
        } else {
            throw new IllegalArgumentException(path + " does not exist");
        }
        out.flush();
        return 0;
    }
}
