package dev.loraflow.model.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loraflow.core.LoraflowException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The whole pipeline in its smoke configuration: every stage runs and the table has all seven methods. */
class MiniatureExperimentTest {
    @TempDir
    Path tmp;

    @Test
    void aSmokeRunWritesTheSevenRowTableAndEveryArtefact() throws Exception {
        List<String> lines = new ArrayList<>();
        Path out = tmp.resolve("run");
        MiniatureExperiment.Outcome outcome = new MiniatureExperiment(ReproduceConfig.smoke(), 2, new ExperimentLog(lines::add))
                .run(5, 2, out);
        String report = Files.readString(out.resolve("results.md"));
        assertEquals(outcome.report(), report);
        for (FusionMethod m : FusionMethod.values()) {
            assertTrue(report.contains("| " + m.label() + " |") || report.contains("| **" + m.label() + "** |"), m.label());
        }
        long rows = report.lines().filter(l -> l.startsWith("| ") && !l.startsWith("| Method")).count();
        assertEquals(FusionMethod.values().length, rows, report);
        assertTrue(report.contains("Seeds 5, 6"), report);
        for (String seed : List.of("seed-5", "seed-6")) {
            Path dir = out.resolve(seed);
            for (String file : List.of("base/model.safetensors", "base/tokenizer.json", "adapters/lang/adapter_model.safetensors",
                    "adapters/task/adapter_config.json", "gates/loraflow.safetensors", "gates/static.safetensors",
                    "lora-hub.json", "scores.json", "data/target-test.jsonl")) {
                assertTrue(Files.isRegularFile(dir.resolve(file)), dir.resolve(file) + " missing");
            }
        }
        assertTrue(lines.stream().anyMatch(l -> l.matches("\\[\\d\\d:\\d\\d] .*pretrain base.*")), "progress lines with elapsed time");
    }

    @Test
    void aNonEmptyOutputDirectoryIsRefused() throws Exception {
        Files.writeString(tmp.resolve("something"), "x");
        LoraflowException e = assertThrows(LoraflowException.class,
                () -> new MiniatureExperiment(ReproduceConfig.smoke(), 1, ExperimentLog.silent()).run(1, 1, tmp));
        assertTrue(e.getMessage().contains("not empty"), e.getMessage());
    }

    @Test
    void theTableShowsMeanAndSpreadOverSeeds() {
        ResultsTable table = new ResultsTable();
        table.add(1, List.of(new MethodScore(FusionMethod.LORA_FLOW, 0.5, 1.0)));
        table.add(2, List.of(new MethodScore(FusionMethod.LORA_FLOW, 0.7, 2.0)));
        String md = table.markdown();
        assertTrue(md.contains("| **LoRA-Flow (dynamic)** | 60.0 ± 14.1 | 1.500 ± 0.707 | 50.0, 70.0 |"), md);
    }
}
