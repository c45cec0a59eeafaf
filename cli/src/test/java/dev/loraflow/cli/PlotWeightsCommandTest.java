package dev.loraflow.cli;

import static dev.loraflow.cli.CliTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loraflow.model.lora.LoraFlowGate;
import dev.loraflow.testing.SharedData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PlotWeightsCommandTest {
    @TempDir
    Path tmp;

    private static long count(String text, String needle) {
        return Pattern.compile(Pattern.quote(needle)).matcher(text).results().count();
    }

    private String plot(Path json) throws Exception {
        Path html = tmp.resolve("w.html");
        CliTest.Result r = run("plot-weights", json.toString(), "--out", html.toString());
        assertEquals(0, r.exit(), r.err());
        return Files.readString(html);
    }

    private static void assertSelfContained(String html) {
        String lower = html.toLowerCase(Locale.ROOT);
        assertFalse(lower.contains("<script"), "no script");
        assertFalse(lower.contains("http:") || lower.contains("https:") || lower.contains("//"), "no external URL");
        assertFalse(lower.contains("@import") || lower.contains("src="), "nothing loaded from elsewhere");
    }

    @Test
    void twoAdaptersGiveOneCellPerTokenAndLayerWithEscapedLabels() throws Exception {
        Path json = tmp.resolve("w.json");
        Files.writeString(json, """
                {"adapters": ["lang", "task"], "tokens": ["<s>", "a<b>&c", " \\"q\\"'"], "ids": [1, 2, 3],
                 "weights": [[[0.1, 0.9], [0.2, 0.8]], [[0.5, 0.5], [0.25, 0.75]], [[1.0, -0.5], [0.0, 1.0]]]}
                """);
        String html = plot(json);
        assertTrue(html.contains("<svg"), html);
        assertEquals(3 * 2, count(html, "class=\"cell\""));
        assertTrue(html.contains("a&lt;b&gt;&amp;c"), "token text escaped");
        assertFalse(html.contains("a<b>") || html.contains("<s>"), "no raw token markup");
        assertTrue(html.contains("&#39;") && html.contains("&quot;q&quot;"));
        assertTrue(html.contains("task = 0.7500"), "numbers on hover");
        assertTrue(html.contains("w[task] \u2212 w[lang]") && html.contains("leans on lang"), "a diverging map with a legend");
        assertSelfContained(html);
    }

    @Test
    void threeAdaptersGiveOneHeatmapEach() throws Exception {
        Path json = tmp.resolve("w3.json");
        Files.writeString(json, """
                {"adapters": ["x", "y", "z"], "tokens": ["a", "b"], "ids": [5, 6],
                 "weights": [[[0.1, 0.2, 0.7]], [[0.3, 0.3, 0.4]]]}
                """);
        String html = plot(json);
        assertEquals(3 * 2 * 1, count(html, "class=\"cell\""));
        assertTrue(html.contains("w[x] per token") && html.contains("w[z] per token"));
        assertSelfContained(html);
    }

    @Test
    void plotsARealGenerateTrace() throws Exception {
        Path model = SharedData.require("models/stories260K");
        Path adapter = SharedData.require("adapters/stories260K-max");
        Path gate = tmp.resolve("gate.safetensors");
        LoraFlowGate.random(List.of("lang", "task"), 5, 64, 0.5f, 3).save(gate);
        Path json = tmp.resolve("trace.json");
        CliTest.Result g = run("generate", "--model", model.toString(), "--lora", "lang=" + adapter, "--lora", "task=" + adapter,
                "--gate", gate.toString(), "--prompt", "Once upon a time", "--max-tokens", "10", "--temperature", "0",
                "--weights-out", json.toString());
        assertEquals(0, g.exit(), g.err());
        String html = plot(json);
        assertEquals(15 * 5, count(html, "class=\"cell\""), "5 prompt + 10 generated tokens x 5 layers");
        assertSelfContained(html);
    }

    @Test
    void aMalformedFileExitsWithOneLine() throws Exception {
        Path json = tmp.resolve("bad.json");
        Files.writeString(json, "{\"adapters\": [\"a\"], \"tokens\": [\"x\"], \"weights\": [[[0.1, 0.2]]]}");
        CliTest.Result r = run("plot-weights", json.toString(), "--out", tmp.resolve("x.html").toString());
        assertEquals(1, r.exit());
        assertTrue(r.err().startsWith("error: ") && r.err().contains("bad.json") && r.err().contains("weights[0][0]"), r.err());
        assertFalse(Files.exists(tmp.resolve("x.html")));
    }
}
