package dev.loraflow.cli;

import static dev.loraflow.cli.CliTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loraflow.model.lora.AdapterStack;
import dev.loraflow.model.lora.Fusion;
import dev.loraflow.model.lora.LoraAdapter;
import dev.loraflow.model.lora.StaticWeights;
import dev.loraflow.testing.SharedData;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The LoRA-Hub baseline on stories260K with the max adapter under two names. */
class SearchWeightsCommandTest {
    @TempDir
    Path tmp;

    private Path model;
    private Path adapter;
    private Path data;

    @BeforeEach
    void locate() throws Exception {
        model = SharedData.require("models/stories260K");
        adapter = SharedData.require("adapters/stories260K-max");
        data = EvalCommandTest.writeJsonl(tmp.resolve("few.jsonl"), EvalCommandTest.EXAMPLES);
    }

    /** search-weights with the adapter under each of {@code names}. */
    private CliTest.Result search(Path out, int budget, String... names) {
        List<String> args = new ArrayList<>(List.of("search-weights", "--model", model.toString(), "--data", data.toString(),
                "--out", out.toString(), "--budget", Integer.toString(budget), "--threads", "2"));
        for (String name : names) {
            args.addAll(List.of("--lora", name + "=" + adapter));
        }
        return run(args.toArray(String[]::new));
    }

    /** Objective = token-mean response loss + 0.05·mean|w|, the loss from {@link EvalCommandTest#referenceLosses}. */
    private double objective(float a, float b) {
        double[][] losses = EvalCommandTest.referenceLosses(model, EvalCommandTest.EXAMPLES, m -> new Fusion(
                AdapterStack.of(List.of(LoraAdapter.load("a", adapter, m.config()), LoraAdapter.load("b", adapter, m.config())),
                        m.config()),
                StaticWeights.uniform(m.config().numLayers(), a, b)));
        double nll = 0;
        double tokens = 0;
        for (double[] l : losses) {
            nll += l[0];
            tokens += l[1];
        }
        return nll / tokens + 0.05 * (Math.abs(a) + Math.abs(b)) / 2;
    }

    @Test
    void findsWeightsNoWorseThanTheStartThatGenerateAccepts() throws Exception {
        Path out = tmp.resolve("weights.json");
        CliTest.Result r = search(out, 8, "a", "b");
        assertEquals(0, r.exit(), r.err());
        assertEquals(8, r.err().lines().filter(l -> l.startsWith("eval ")).count(), "one line per evaluation: " + r.err());
        assertTrue(r.out().startsWith("best  a="), r.out());

        JsonNode weights = new ObjectMapper().readTree(out.toFile());
        assertEquals(2, weights.size());
        float a = weights.get("a").floatValue();
        float b = weights.get("b").floatValue();
        assertTrue(Math.abs(a) <= 1.5 && Math.abs(b) <= 1.5, weights.toString());
        double start = objective(0, 0);
        double found = objective(a, b);
        assertTrue(found <= start + 1e-9, "found " + found + " at " + weights + ", start " + start);

        CliTest.Result g = run("generate", "--model", model.toString(), "--lora", "a=" + adapter, "--lora", "b=" + adapter,
                "--weights", out.toString(), "--prompt", "Once", "--max-tokens", "4", "--temperature", "0");
        assertEquals(0, g.exit(), g.err());
    }

    @Test
    void aSingleAdapterIsSearchedToo() throws Exception {
        Path out = tmp.resolve("one.json");
        CliTest.Result r = search(out, 6, "max");
        assertEquals(0, r.exit(), r.err());
        assertTrue(new ObjectMapper().readTree(out.toFile()).get("max").isNumber());
    }

    @Test
    void badFlagsExitWithOneLine() throws Exception {
        CliTest.Result r = search(tmp.resolve("w.json"), 2, "a", "b");
        assertEquals(1, r.exit());
        assertTrue(r.err().startsWith("error: --budget 2 is too small"), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
    }
}
