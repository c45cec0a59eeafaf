package dev.loraflow.cli;

import static dev.loraflow.cli.CliTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loraflow.testing.SharedData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** train-lora and train-gate end to end on stories260K; improvements measured by the eval command. */
class TrainCommandsTest {
    @TempDir
    Path tmp;

    private static final String[] NAMES = {"Sue", "Tim", "Ben", "Anna"};

    private Path beachData(int count) throws Exception {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String name = NAMES[i % NAMES.length];
            lines.add("{\"prompt\": \"Once upon a time, " + name + " went to the beach.\", \"response\": \""
                    + name + " saw the sea and the sand. " + name + " was happy at the beach.\"}");
        }
        Path file = tmp.resolve("beach-" + count + ".jsonl");
        Files.write(file, lines);
        return file;
    }

    private static double meanLoss(CliTest.Result r) {
        assertEquals(0, r.exit(), r.err());
        Matcher m = Pattern.compile("mean loss\\s+([0-9.]+)").matcher(r.out());
        assertTrue(m.find(), r.out());
        return Double.parseDouble(m.group(1));
    }

    @Test
    void trainLoraThenTrainGateLowerTheLossAsEvalMeasuresIt() throws Exception {
        Path model = SharedData.require("models/stories260K");
        Path max = SharedData.require("adapters/stories260K-max");
        Path data = beachData(16);
        Path adapter = tmp.resolve("beach");
        CliTest.Result lora = run("train-lora", "--model", model.toString(), "--data", data.toString(), "--out",
                adapter.toString(), "--rank", "4", "--alpha", "8", "--epochs", "3", "--lr", "1e-2", "--seed", "1");
        assertEquals(0, lora.exit(), lora.err());
        assertTrue(lora.err().contains("train-lora: 12 steps"), lora.err());
        assertTrue(Files.isRegularFile(adapter.resolve("adapter_config.json")));

        double base = meanLoss(run("eval", "--model", model.toString(), "--data", data.toString(), "--metric", "loss"));
        double adapted = meanLoss(run("eval", "--model", model.toString(), "--lora", "beach=" + adapter,
                "--data", data.toString(), "--metric", "loss"));
        assertTrue(adapted < base - 0.1, "train-lora: loss " + base + " -> " + adapted);

        // The gate starts as the last adapter alone (max); training should move it toward what the data needs.
        Path gate = tmp.resolve("gate.safetensors");
        CliTest.Result g = run("train-gate", "--model", model.toString(), "--lora", "beach=" + adapter,
                "--lora", "max=" + max, "--data", data.toString(), "--out", gate.toString(), "--epochs", "3",
                "--lr", "5e-2", "--dev", data.toString());
        assertEquals(0, g.exit(), g.err());
        assertTrue(g.err().contains("dev loss"), g.err());
        double start = meanLoss(run("eval", "--model", model.toString(), "--lora", "beach=" + adapter, "--lora", "max=" + max,
                "--mode", "single:max", "--data", data.toString(), "--metric", "loss"));
        double gated = meanLoss(run("eval", "--model", model.toString(), "--lora", "beach=" + adapter, "--lora", "max=" + max,
                "--gate", gate.toString(), "--data", data.toString(), "--metric", "loss"));
        assertTrue(gated < start - 0.1, "train-gate: loss " + start + " -> " + gated);
    }

    @Test
    void badTrainingInputsFailCleanlyAndWriteNothing() throws Exception {
        Path model = SharedData.require("models/stories260K");
        Path max = SharedData.require("adapters/stories260K-max");
        Path bad = tmp.resolve("bad.jsonl");
        Files.write(bad, List.of("{\"prompt\": \"a\", \"response\": \"b\"}", "{\"prompt\": \"a\", \"response\": \"b\"}",
                "{\"prompt\": oops}"));
        Path out = tmp.resolve("gate.safetensors");
        CliTest.Result r = run("train-gate", "--model", model.toString(), "--lora", "max=" + max, "--data", bad.toString(),
                "--out", out.toString());
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("bad.jsonl line 3"), r.err());
        assertFalse(Files.exists(out));

        Path data = beachData(4);
        String[][] cases = {
            {"--dropout", "1.5"}, {"--epochs", "0"}, {"--lr", "-1"}, {"--max-seq-len", "1"}, {"--warmup", "2"},
        };
        String[] expected = {"--dropout", "--epochs", "--lr", "--max-seq-len", "--warmup"};
        for (int i = 0; i < cases.length; i++) {
            List<String> args = new ArrayList<>(List.of("train-gate", "--model", model.toString(), "--lora", "max=" + max,
                    "--data", data.toString(), "--out", out.toString()));
            args.addAll(List.of(cases[i]));
            CliTest.Result e = run(args.toArray(String[]::new));
            assertEquals(1, e.exit(), String.join(" ", cases[i]) + ": " + e.err());
            assertTrue(e.err().contains(expected[i]), e.err());
            assertFalse(Files.exists(out));
        }
        CliTest.Result targets = run("train-lora", "--model", model.toString(), "--data", data.toString(), "--out",
                tmp.resolve("x").toString(), "--targets", "q_proj,qkv");
        assertEquals(1, targets.exit());
        assertTrue(targets.err().contains("'qkv'"), targets.err());
        assertFalse(Files.exists(tmp.resolve("x")));
    }
}
