package dev.loraflow.cli;

import dev.loraflow.tokenizer.Tokenizer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "tokenize", mixinStandardHelpOptions = true,
        description = "Print the token ids of a text on one line, space separated.")
final class TokenizeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "DIR",
            description = "Model directory with tokenizer.json (or a tiktoken-format tokenizer.model).")
    Path model;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Input input;

    static final class Input {
        @Option(names = "--text", paramLabel = "T", description = "The text to encode.")
        String text;

        @Option(names = "--file", paramLabel = "F", description = "A UTF-8 file; its whole content is encoded.")
        Path file;
    }

    @Option(names = "--special", description = "Turn special-token text such as <|eot_id|> into its id.")
    boolean special;

    @Option(names = "--no-bos", description = "Do not add the BOS (and EOS) tokens the tokenizer adds by default.")
    boolean noBos;

    @Override
    public Integer call() throws IOException {
        String text = input.text != null ? input.text : Files.readString(input.file, StandardCharsets.UTF_8);
        int[] ids = Tokenizer.load(model).encode(text, !noBos, special);
        PrintWriter out = spec.commandLine().getOut();
        out.println(Arrays.stream(ids).mapToObj(Integer::toString).collect(Collectors.joining(" ")));
        out.flush();
        return 0;
    }
}
