package dev.loraflow.cli;

import dev.loraflow.core.LoraflowException;
import dev.loraflow.tokenizer.TokenizerException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code loraflow} command and its subcommands. Bad input ends in one clear line on stderr and a non-zero exit. */
@Command(name = "loraflow", mixinStandardHelpOptions = true, version = "loraflow 0.1.0",
        description = "Run Llama-family models on the CPU and fuse LoRA adapters per token (LoRA-Flow).",
        subcommands = {
                GenerateCommand.class,
                LogitsCommand.class,
                InspectCommand.class,
                MergeCommand.class,
                TokenizeCommand.class,
                DetokenizeCommand.class,
                TrainGateCommand.class,
                TrainLoraCommand.class,
                BenchTrainCommand.class,
                EvalCommand.class, SearchWeightsCommand.class, PlotWeightsCommand.class, ReproduceCommand.class, DemoCommand.class,
                MakeModelCommand.class, MakeAdaptersCommand.class, BenchCommand.class,
                CommandLine.HelpCommand.class,
        })
public final class LoraflowCli implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns the exit code (0 success, 1 bad input or failure, 2 usage error). */
    public static int run(String... args) {
        return newCommandLine().execute(args);
    }

    static CommandLine newCommandLine() {
        CommandLine cli = new CommandLine(new LoraflowCli());
        cli.setExecutionExceptionHandler(LoraflowCli::reportFailure);
        return cli;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    private static int reportFailure(Exception e, CommandLine cli, CommandLine.ParseResult parsed) {
        PrintWriter err = cli.getErr();
        boolean verbose = parsed.hasMatchedOption("--verbose")
                || (parsed.subcommand() != null && parsed.subcommand().hasMatchedOption("--verbose"));
        String message = e instanceof LoraflowException || e instanceof TokenizerException
                || e instanceof IllegalArgumentException
                ? e.getMessage()
                : e.getClass().getSimpleName() + ": " + e.getMessage();
        err.println("error: " + message);
        if (verbose) {
            e.printStackTrace(err);
        }
        err.flush();
        return 1;
    }
}
