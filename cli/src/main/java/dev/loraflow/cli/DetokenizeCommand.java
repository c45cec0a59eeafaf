package dev.loraflow.cli;

import dev.loraflow.tokenizer.Tokenizer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "detokenize", mixinStandardHelpOptions = true,
        description = "Print the text of a list of token ids.")
final class DetokenizeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "DIR",
            description = "Model directory with tokenizer.json (or a tiktoken-format tokenizer.model).")
    Path model;

    @Option(names = "--ids", required = true, paramLabel = "IDS", description = "Token ids, e.g. 1,2,3.")
    String ids;

    @Option(names = "--skip-special", description = "Leave out special tokens such as <s> or <|eot_id|>.")
    boolean skipSpecial;

    @Override
    public Integer call() {
        String text = Tokenizer.load(model).decode(IdList.parse(ids, "--ids"), skipSpecial);
        PrintWriter out = spec.commandLine().getOut();
        out.println(text);
        out.flush();
        return 0;
    }
}
