package dev.loraflow.model.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loraflow.core.autograd.Parameter;
import dev.loraflow.core.io.AtomicFiles;
import dev.loraflow.core.safetensors.SafetensorsWriter;
import dev.loraflow.model.lora.Projection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;

/** Writes a trained {@link LoraGraph} as a PEFT adapter directory that PEFT loads unchanged. */
public final class PeftAdapterWriter {
    private PeftAdapterWriter() {}

    public static void write(LoraGraph graph, String baseModel, Path outDir) {
        AtomicFiles.writeDirectory(outDir, dir -> {
            ObjectMapper json = new ObjectMapper();
            ObjectNode config = json.createObjectNode();
            config.put("peft_type", "LORA");
            config.put("task_type", "CAUSAL_LM");
            config.put("base_model_name_or_path", baseModel);
            config.put("r", graph.rank());
            config.put("lora_alpha", graph.alpha());
            config.put("use_rslora", graph.rslora());
            config.put("lora_dropout", 0.0);
            var targets = config.putArray("target_modules");
            graph.targets().stream().sorted(Comparator.naturalOrder()).map(Projection::shortName).forEach(targets::add);
            config.put("bias", "none");
            config.put("fan_in_fan_out", false);
            config.put("use_dora", false);
            config.putNull("modules_to_save");
            config.putNull("layers_to_transform");
            config.putObject("rank_pattern");
            config.putObject("alpha_pattern");
            config.put("init_lora_weights", true);
            config.put("inference_mode", true);
            Files.writeString(dir.resolve("adapter_config.json"), json.writerWithDefaultPrettyPrinter().writeValueAsString(config));
            SafetensorsWriter writer = new SafetensorsWriter().metadata("format", "pt");
            for (Parameter p : graph.parameters()) {
                writer.addF32(p.name(), new long[] {p.rows(), p.cols()}, p.data());
            }
            writer.write(dir.resolve("adapter_model.safetensors"));
        });
    }
}
