package dev.loraflow.model.lora;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loraflow.core.LoraflowException;
import dev.loraflow.core.config.LlamaConfig;
import dev.loraflow.model.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/** Every adapter or gate that cannot be applied faithfully is refused with a message naming the file and the fix. */
class AdapterErrorsTest {
    @TempDir
    Path tmp;

    private final LlamaConfig gqa2 = LlamaConfig.load(Fixtures.dir("forward/gqa2"));

    private static void assertError(Executable action, String... fragments) {
        LoraflowException e = assertThrows(LoraflowException.class, action);
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "expected '" + f + "' in: " + e.getMessage());
        }
    }

    /** A copy of the plain fixture adapter with its config edited. */
    private Path adapterWithConfig(String from, String to) throws IOException {
        Path src = Fixtures.dir("lora/plain");
        Path dir = Files.createDirectories(tmp.resolve("edited"));
        Files.copy(src.resolve("adapter_model.safetensors"), dir.resolve("adapter_model.safetensors"));
        String config = Files.readString(src.resolve("adapter_config.json"));
        assertTrue(config.contains(from), "fixture config must contain " + from);
        Files.writeString(dir.resolve("adapter_config.json"), config.replace(from, to));
        return dir;
    }

    @Test
    void adapterForAnotherModelIsRefused() {
        LlamaConfig mha = LlamaConfig.load(Fixtures.dir("forward/head_dim"));
        assertError(() -> LoraAdapter.load("a", Fixtures.dir("lora/plain"), mha), "adapter_model.safetensors", "another model");
    }

    @Test
    void missingConfigIsRefused() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("noconfig"));
        Files.copy(Fixtures.dir("lora/plain").resolve("adapter_model.safetensors"), dir.resolve("adapter_model.safetensors"));
        assertError(() -> LoraAdapter.load("a", dir, gqa2), "adapter_config.json", "not found");
    }

    @Test
    void doraIsRefused() throws IOException {
        assertError(() -> LoraAdapter.load("a", adapterWithConfig("\"use_dora\": false", "\"use_dora\": true"), gqa2),
                "use_dora", "DoRA");
    }

    @Test
    void modulesToSaveIsRefused() throws IOException {
        assertError(() -> LoraAdapter.load("a", adapterWithConfig("\"modules_to_save\": null", "\"modules_to_save\": [\"lm_head\"]"), gqa2),
                "modules_to_save");
    }

    @Test
    void rankThatDisagreesWithTheWeightsIsRefused() throws IOException {
        assertError(() -> LoraAdapter.load("a", adapterWithConfig("\"r\": 4", "\"r\": 8"), gqa2), "rank 4", "r = 8");
    }

    @Test
    void gateForOtherAdaptersOrAnotherModelIsRefused() {
        Path file = tmp.resolve("gate.safetensors");
        LoraFlowGate.initial(List.of("lang", "task"), 2, 32).save(file);
        assertError(() -> LoraFlowGate.load(file, List.of("task", "lang"), 2, 32), "gate.safetensors", "[lang, task]");
        assertError(() -> LoraFlowGate.load(file, List.of("lang", "task", "x"), 2, 32), "were given");
        assertError(() -> LoraFlowGate.load(file, List.of("lang", "task"), 2, 64), "hidden size 32");
        assertError(() -> LoraFlowGate.load(file, List.of("lang", "task"), 3, 32), "2 layers");
        Path notGate = Fixtures.dir("lora/plain").resolve("adapter_model.safetensors");
        assertError(() -> LoraFlowGate.load(notGate, List.of("lang"), 2, 32), "not a LoRA-Flow gate");
    }

    @Test
    void unknownOrMissingAdapterInWeightsIsRefused() throws IOException {
        List<String> names = List.of("lang", "task");
        assertError(() -> StaticWeights.byName(2, names, Map.of("lang", 1f, "tsak", 1f)), "'tsak'", "[lang, task]");
        assertError(() -> StaticWeights.byName(2, names, Map.of("lang", 1f)), "'task'");
        Path json = tmp.resolve("w.json");
        Files.writeString(json, "{\"lang\": [0.1, 0.2, 0.3], \"task\": 1}");
        assertError(() -> StaticWeights.fromJson(json, names, 2), "w.json", "3 per-layer");
        Files.writeString(json, "{\"lang\": [0.1, 0.2], \"task\": 1}");
        StaticWeights w = StaticWeights.fromJson(json, names, 2);
        assertTrue(w.layer(1)[0] == 0.2f && w.layer(1)[1] == 1f);
    }
}
