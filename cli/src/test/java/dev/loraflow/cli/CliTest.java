package dev.loraflow.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loraflow.testing.SharedData;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/** The command line end to end, in process: outputs, exit codes and one-line errors. */
class CliTest {
    record Result(int exit, String out, String err) {}

    static Result run(String... args) {
        CommandLine cli = LoraflowCli.newCommandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int exit = cli.execute(args);
        return new Result(exit, out.toString(), err.toString());
    }

    private static int[] ids(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).intValue();
        }
        return out;
    }

    private static int[] readIds(Path file) throws Exception {
        return Arrays.stream(Files.readString(file).trim().split("\\s+")).mapToInt(Integer::parseInt).toArray();
    }

    /** Weights read into memory (the default) or mapped from the file (--mmap) give run.c's greedy ids alike. */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void generateJsonReproducesRunCGreedyIds(boolean mmap) throws Exception {
        Path model = SharedData.require("models/stories260K");
        int[] reference = readIds(model.resolve("reference/ref_ids_once_upon_n64.txt"));
        List<String> args = new ArrayList<>(List.of("generate", "--model", model.toString(), "--prompt", "Once upon a time",
                "--max-tokens", "59", "--temperature", "0", "--json", "--threads", "2"));
        if (mmap) {
            args.add("--mmap");
        }
        Result r = run(args.toArray(String[]::new));
        assertEquals(0, r.exit(), r.err());
        JsonNode json = new ObjectMapper().readTree(r.out());
        assertArrayEquals(Arrays.copyOf(reference, 5), ids(json.get("prompt_ids")));
        assertArrayEquals(Arrays.copyOfRange(reference, 5, 64), ids(json.get("ids")));
        assertTrue(json.get("text").asText().startsWith(", there was a little girl named Lily"), json.get("text").asText());
    }

    @Test
    void sameSeedSameTokens() throws Exception {
        Path model = SharedData.require("models/stories260K");
        String[] args = {"generate", "--model", model.toString(), "--prompt", "", "--max-tokens", "30",
            "--temperature", "1.0", "--top-p", "0.9", "--seed", "7", "--json"};
        JsonNode a = new ObjectMapper().readTree(run(args).out());
        JsonNode b = new ObjectMapper().readTree(run(args).out());
        assertEquals(a.get("ids"), b.get("ids"));
        assertArrayEquals(new int[] {1}, ids(a.get("prompt_ids")), "an empty prompt starts from BOS alone");
        JsonNode c = new ObjectMapper().readTree(run(Arrays.stream(args).map(s -> s.equals("7") ? "8" : s)
                .toArray(String[]::new)).out());
        assertFalse(a.get("ids").equals(c.get("ids")), "a different seed should give a different sample");
    }

    @Test
    void chatRendersTheModelsTemplate(@TempDir Path tmp) throws Exception {
        Path model = SharedData.require("models/stories260K");
        Result noTemplate = run("generate", "--model", model.toString(), "--chat", "--prompt", "hi");
        assertEquals(1, noTemplate.exit());
        assertTrue(noTemplate.err().contains("chat_template"), noTemplate.err());

        Path chatModel = tmp.resolve("chat");
        Files.createDirectories(chatModel);
        for (String f : new String[] {"config.json", "model.safetensors", "tokenizer.json"}) {
            Files.copy(model.resolve(f), chatModel.resolve(f));
        }
        var config = (com.fasterxml.jackson.databind.node.ObjectNode) new ObjectMapper().readTree(
                model.resolve("tokenizer_config.json").toFile());
        config.put("chat_template", "{{ bos_token }}{% for m in messages %}[{{ m['role'] }}] {{ m['content'] }}\n{% endfor %}"
                + "{% if add_generation_prompt %}[assistant]{% endif %}");
        Files.writeString(chatModel.resolve("tokenizer_config.json"), config.toString());
        Result r = run("generate", "--model", chatModel.toString(), "--chat", "--system", "Be brief.", "--prompt", "Hi there",
                "--max-tokens", "3", "--temperature", "0", "--json");
        assertEquals(0, r.exit(), r.err());
        int[] expected = dev.loraflow.tokenizer.Tokenizer.load(model)
                .encode("<s>[system] Be brief.\n[user] Hi there\n[assistant]", false, true);
        assertArrayEquals(expected, ids(new ObjectMapper().readTree(r.out()).get("prompt_ids")));
        assertEquals(1, expected[0], "the template's bos_token text becomes the BOS id");
    }

    @Test
    void logitsDumpMatchesRunC(@TempDir Path tmp) throws Exception {
        Path model = SharedData.require("models/stories260K");
        Path out = tmp.resolve("logits.f32");
        int[] reference = readIds(model.resolve("reference/ref_ids_once_upon_n64.txt"));
        String ids = String.join(",", Arrays.stream(reference).mapToObj(Integer::toString).toArray(String[]::new));
        Result r = run("logits", "--model", model.toString(), "--ids", ids, "--out", out.toString());
        assertEquals(0, r.exit(), r.err());
        float[] actual = floats(Files.readAllBytes(out));
        float[] expected = floats(Files.readAllBytes(model.resolve("reference/ref_logits_once_upon_n64.f32")));
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 1e-4, "logit " + i);
        }
    }

    private static float[] floats(byte[] bytes) {
        float[] f = new float[bytes.length / 4];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(f);
        return f;
    }

    @Test
    void inspectListsTensorsAndSummarisesModels() {
        Path model = SharedData.require("models/stories260K");
        Result file = run("inspect", model.resolve("model.safetensors").toString());
        assertEquals(0, file.exit(), file.err());
        assertTrue(file.out().contains("model.layers.0.self_attn.q_proj.weight"));
        assertTrue(file.out().contains("[64, 64]"));
        Result dir = run("inspect", model.toString());
        assertEquals(0, dir.exit(), dir.err());
        assertTrue(dir.out().contains("parameters:"), dir.out());
    }

    @Test
    void badInputsExitNonZeroWithOneClearLine(@TempDir Path tmp) throws Exception {
        Result missing = run("generate", "--model", tmp.resolve("nope").toString(), "--prompt", "x");
        assertEquals(1, missing.exit());
        assertTrue(missing.err().startsWith("error: ") && missing.err().contains("nope"), missing.err());
        assertEquals(1, missing.err().strip().lines().count(), "one line, no stack trace: " + missing.err());

        Path corrupt = tmp.resolve("bad.safetensors");
        Files.write(corrupt, new byte[] {9, 0, 0, 0, 0, 0, 0, 0, '{'});
        Result bad = run("inspect", corrupt.toString());
        assertEquals(1, bad.exit());
        assertTrue(bad.err().contains("bad.safetensors"), bad.err());

        Result verbose = run("inspect", corrupt.toString(), "--verbose");
        assertTrue(verbose.err().contains("at dev.loraflow"), "--verbose shows the stack trace");

        Result usage = run("generate", "--prompt", "x");
        assertEquals(2, usage.exit(), "a missing required option is a usage error");
        assertTrue(usage.err().contains("--model"), usage.err());

        Path model = SharedData.require("models/stories260K");
        Result temperature = run("generate", "--model", model.toString(), "--temperature", "-1");
        assertEquals(1, temperature.exit());
        assertTrue(temperature.err().contains("temperature"), temperature.err());
        Result ids = run("logits", "--model", model.toString(), "--ids", "1,x", "--out", tmp.resolve("o").toString());
        assertEquals(1, ids.exit());
        assertTrue(ids.err().contains("'x'"), ids.err());
        Result outOfVocab = run("logits", "--model", model.toString(), "--ids", "1,9999", "--out", tmp.resolve("o").toString());
        assertEquals(1, outOfVocab.exit());
        assertTrue(outOfVocab.err().contains("9999"), outOfVocab.err());
        assertFalse(Files.exists(tmp.resolve("o")), "no output file is left behind on failure");
    }
}
