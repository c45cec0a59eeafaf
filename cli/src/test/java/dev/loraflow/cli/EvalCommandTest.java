package dev.loraflow.cli;

import static dev.loraflow.cli.CliTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loraflow.kernels.ThreadPool;
import dev.loraflow.model.llama.InferenceSession;
import dev.loraflow.model.llama.LlamaModel;
import dev.loraflow.model.lora.Fusion;
import dev.loraflow.testing.SharedData;
import dev.loraflow.tokenizer.Tokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** eval end to end on stories260K, its loss checked against log-softmax done by hand on forwardAll logits. */
class EvalCommandTest {
    static final String[][] EXAMPLES = {
        {"Once upon a time", "there was a little girl named Lily."},
        {"Tom had 3 apples and", "he gave 2 to his friend."},
        {"The sun was", "bright and warm."},
    };

    @TempDir
    Path tmp;

    private Path model;
    private Path adapter;

    @BeforeEach
    void locate() {
        model = SharedData.require("models/stories260K");
        adapter = SharedData.require("adapters/stories260K-max");
    }

    static Path writeJsonl(Path file, String[][] promptResponses) throws Exception {
        ObjectMapper mapper = new ObjectMapper();
        List<String> lines = new ArrayList<>();
        for (String[] pr : promptResponses) {
            lines.add(mapper.createObjectNode().put("prompt", pr[0]).put("response", pr[1]).toString());
        }
        Files.write(file, lines);
        return file;
    }

    static List<JsonNode> records(Path file) throws Exception {
        ObjectMapper mapper = new ObjectMapper();
        List<JsonNode> out = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            out.add(mapper.readTree(line));
        }
        return out;
    }

    /**
     * The summed response loss of (prompt, response) pairs computed here from the model's logits: ids are BOS + prompt,
     * then the response encoded alone, then EOS 2; log p = x_target - log Σ exp(x), in double.
     * Returns {sum of nll, token count} per example.
     */
    static double[][] referenceLosses(Path modelDir, String[][] examples, Function<LlamaModel, Fusion> fusion) {
        Tokenizer tokenizer = Tokenizer.load(modelDir);
        double[][] out = new double[examples.length][];
        try (LlamaModel m = LlamaModel.load(modelDir); ThreadPool pool = new ThreadPool(2)) {
            int vocab = m.config().vocabSize();
            for (int e = 0; e < examples.length; e++) {
                int[] prompt = tokenizer.encode(examples[e][0]);
                int[] response = tokenizer.encode(examples[e][1], false, false);
                int[] ids = new int[prompt.length + response.length + 1];
                System.arraycopy(prompt, 0, ids, 0, prompt.length);
                System.arraycopy(response, 0, ids, prompt.length, response.length);
                ids[ids.length - 1] = 2;
                InferenceSession session = fusion == null ? new InferenceSession(m, ids.length, pool)
                        : new InferenceSession(m, ids.length, pool, fusion.apply(m));
                float[] logits = session.forwardAll(ids);
                double nll = 0;
                for (int t = prompt.length; t < ids.length; t++) {
                    int row = (t - 1) * vocab;
                    double sumExp = 0;
                    for (int v = 0; v < vocab; v++) {
                        sumExp += Math.exp(logits[row + v]);
                    }
                    nll -= logits[row + ids[t]] - Math.log(sumExp);
                }
                out[e] = new double[] {nll, ids.length - prompt.length};
            }
        }
        return out;
    }

    @Test
    void lossEqualsLogSoftmaxOfForwardAllLogits() throws Exception {
        EvalRun run = eval("loss", EXAMPLES, "loss", "--threads", "2");
        double[][] expected = referenceLosses(model, EXAMPLES, null);
        List<JsonNode> records = run.records();
        assertEquals(3, records.size());
        double nll = 0;
        int tokens = 0;
        for (int e = 0; e < 3; e++) {
            JsonNode rec = records.get(e);
            assertEquals(e + 1, rec.get("line").intValue());
            assertEquals((int) expected[e][1], rec.get("tokens").intValue());
            assertEquals(expected[e][0] / expected[e][1], rec.get("loss").doubleValue(), 1e-5, "example " + e);
            assertFalse(rec.has("correct"), "the loss metric scores no answer");
            nll += expected[e][0];
            tokens += (int) expected[e][1];
        }
        String summary = run.result().out();
        double mean = nll / tokens;
        assertEquals(mean, parse(summary, "mean loss"), 2e-6, summary);
        assertTrue(summary.contains("over " + tokens + " tokens"), summary);
        assertEquals(Math.exp(mean), parse(summary, "perplexity"), 1e-3 * Math.exp(mean));
        assertTrue(summary.contains("examples    3"), summary);
        assertFalse(summary.contains("accuracy"), summary);
    }

    private static double parse(String summary, String key) {
        String line = summary.lines().filter(l -> l.startsWith(key)).findFirst().orElseThrow();
        return Double.parseDouble(line.substring(key.length()).trim().split("\\s+")[0]);
    }

    private record EvalRun(CliTest.Result result, List<JsonNode> records) {}

    /** Runs eval on these examples with --out, expecting success. */
    private EvalRun eval(String name, String[][] examples, String metric, String... extra) throws Exception {
        Path data = writeJsonl(tmp.resolve(name + ".jsonl"), examples);
        Path out = tmp.resolve(name + "-results.jsonl");
        List<String> args = new ArrayList<>(List.of("eval", "--model", model.toString(), "--data", data.toString(),
                "--metric", metric, "--out", out.toString()));
        args.addAll(Arrays.asList(extra));
        CliTest.Result r = run(args.toArray(String[]::new));
        assertEquals(0, r.exit(), r.err());
        return new EvalRun(r, records(out));
    }

    private List<JsonNode> evalRecords(String name, String... fusionFlags) throws Exception {
        return eval(name, EXAMPLES, "loss", fusionFlags).records();
    }

    @Test
    void modesSelectTheBaselineFusions() throws Exception {
        List<JsonNode> alone = evalRecords("alone", "--lora", "max=" + adapter);
        List<JsonNode> single = evalRecords("single", "--lora", "other=" + adapter, "--lora", "max=" + adapter,
                "--mode", "single:max");
        List<JsonNode> average = evalRecords("average", "--lora", "a=" + adapter, "--lora", "b=" + adapter, "--mode", "average");
        List<JsonNode> base = evalRecords("base", "--lora", "max=" + adapter, "--mode", "base");
        List<JsonNode> noAdapter = evalRecords("none");
        for (int e = 0; e < EXAMPLES.length; e++) {
            double adapterLoss = alone.get(e).get("nll").doubleValue();
            // Stacking a zero-weighted second adapter only reorders float sums: equal to ~1e-7 relative.
            assertEquals(adapterLoss, single.get(e).get("nll").doubleValue(), 1e-6 * adapterLoss, "single:max = the adapter alone");
            assertEquals(adapterLoss, average.get(e).get("nll").doubleValue(), 1e-4, "half of the same adapter twice");
            assertEquals(noAdapter.get(e).get("nll").doubleValue(), base.get(e).get("nll").doubleValue(), 1e-9, "base ignores --lora");
            assertNotEquals(adapterLoss, base.get(e).get("nll").doubleValue(), 1e-3, "the adapter must change the loss");
        }
    }

    @Test
    void exactMetricScoresTheGreedyContinuation() throws Exception {
        CliTest.Result g = run("generate", "--model", model.toString(), "--prompt", "Once upon a time", "--max-tokens", "12",
                "--temperature", "0", "--json");
        assertEquals(0, g.exit(), g.err());
        String greedy = new ObjectMapper().readTree(g.out()).get("text").asText();
        EvalRun run = eval("exact", new String[][] {
            {"Once upon a time", "  " + greedy.trim() + "\n"},
            {"Once upon a time", "a dragon slept."},
        }, "exact", "--max-tokens", "12");
        List<JsonNode> records = run.records();
        assertTrue(records.get(0).get("correct").booleanValue(), records.get(0).toString());
        assertEquals(greedy, records.get(0).get("generated").asText());
        assertFalse(records.get(1).get("correct").booleanValue());
        assertTrue(run.result().out().contains("accuracy    0.5000 (1 of 2, --metric exact)"), run.result().out());
    }

    @Test
    void aResponseWithoutANumberIsWrongAndTheRunCompletes() throws Exception {
        EvalRun run = eval("number", new String[][] {
            {"Once upon a time", "there were 3 cats."},
            {"Lily was", "4 years old."},
        }, "exact-number", "--max-tokens", "16");
        List<JsonNode> records = run.records();
        CliTest.Result r = run.result();
        JsonNode first = records.get(0);
        assertEquals("3", first.get("expected").asText());
        assertTrue(first.get("generated").asText().chars().noneMatch(Character::isDigit), "the story model writes no digits here");
        assertTrue(first.get("extracted").isNull(), first.toString());
        assertFalse(first.get("correct").booleanValue());
        assertEquals("4", records.get(1).get("expected").asText());
        assertTrue(r.out().contains("accuracy    0.0000 (0 of 2, --metric exact-number)"), r.out());
        assertTrue(r.err().contains("eval: 2/2 examples"), "progress lines when not on a terminal: " + r.err());
    }

    @Test
    void badDataExitsWithOneLineNamingFileAndLine() throws Exception {
        String good = "{\"prompt\": \"Once\", \"response\": \"upon 1\"}";
        Path badJson = tmp.resolve("bad.jsonl");
        Files.writeString(badJson, good + "\n" + good + "\n{\"prompt\": \"x\", \"response\": }\n" + good + "\n");
        Path noFields = tmp.resolve("nofields.jsonl");
        Files.writeString(noFields, good + "\n{\"question\": \"x\"}\n");
        Path text = tmp.resolve("text.jsonl");
        Files.writeString(text, good + "\n{\"text\": \"a story\"}\n");
        Path noNumber = tmp.resolve("nonumber.jsonl");
        Files.writeString(noNumber, good + "\n" + good + "\n{\"prompt\": \"x\", \"response\": \"none\"}\n");
        Object[][] cases = {
            {badJson, "loss", "bad.jsonl line 3: invalid JSON"},
            {noFields, "loss", "nofields.jsonl line 2: needs {\"prompt\""},
            {text, "exact", "text.jsonl line 2: --metric exact needs"},
            {noNumber, "exact-number", "nonumber.jsonl line 3: the reference response has no number"},
            {badJson, "accuracy", "unknown metric 'accuracy'"},
        };
        for (Object[] c : cases) {
            Path out = tmp.resolve("never.jsonl");
            CliTest.Result r = run("eval", "--model", model.toString(), "--data", c[0].toString(), "--metric", (String) c[1],
                    "--out", out.toString());
            assertEquals(1, r.exit(), r.err());
            assertTrue(r.err().startsWith("error: ") && r.err().contains((String) c[2]), r.err());
            assertEquals(1, r.err().strip().lines().count(), r.err());
            assertFalse(Files.exists(out), "nothing is written for bad data");
        }
    }

    @Test
    void badModeExitsWithOneLine() throws Exception {
        Path data = writeJsonl(tmp.resolve("d.jsonl"), EXAMPLES);
        String[][] cases = {
            {"--lora", "max=" + adapter, "--mode", "single:nope"},
            {"--lora", "max=" + adapter, "--mode", "median"},
            {"--mode", "average"},
            {"--lora", "max=" + adapter, "--mode", "average", "--weights", "max=1"},
        };
        String[] expected = {"single:nope names no loaded adapter", "must be base, single:NAME or average", "needs at least one --lora",
            "--mode excludes"};
        for (int i = 0; i < cases.length; i++) {
            List<String> args = new ArrayList<>(List.of("eval", "--model", model.toString(), "--data", data.toString(),
                    "--metric", "loss"));
            args.addAll(Arrays.asList(cases[i]));
            CliTest.Result r = run(args.toArray(String[]::new));
            assertEquals(1, r.exit(), r.err());
            assertTrue(r.err().startsWith("error: ") && r.err().contains(expected[i]), r.err());
        }
    }
}
