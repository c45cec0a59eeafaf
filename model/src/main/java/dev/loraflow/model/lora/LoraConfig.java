package dev.loraflow.model.lora;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loraflow.core.LoraflowException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A PEFT {@code adapter_config.json} of type LORA. Only what the engine can apply faithfully is
 * accepted; DoRA, modules_to_save, biases and embedding targets are refused with a clear error.
 */
public record LoraConfig(
        Path file,
        int r,
        double alpha,
        boolean useRslora,
        TargetModules targetModules,
        Map<String, Integer> rankPattern,
        Map<String, Double> alphaPattern,
        Optional<Set<Integer>> layersToTransform,
        String baseModelName) {

    /** target_modules: a list of names matched by suffix, a regex matched against the full module path, or all-linear. */
    public sealed interface TargetModules {
        boolean matches(String modulePath);

        record Names(List<String> names) implements TargetModules {
            @Override
            public boolean matches(String modulePath) {
                return names.stream().anyMatch(n -> modulePath.equals(n) || modulePath.endsWith("." + n));
            }
        }

        record Regex(Pattern pattern) implements TargetModules {
            @Override
            public boolean matches(String modulePath) {
                return pattern.matcher(modulePath).matches();
            }
        }

        /** PEFT's "all-linear": every linear layer but the output head. */
        record AllLinear() implements TargetModules {
            @Override
            public boolean matches(String modulePath) {
                return true;
            }
        }
    }

    public static LoraConfig load(Path adapterDir) {
        Path file = adapterDir.resolve("adapter_config.json");
        if (!Files.isRegularFile(file)) {
            throw new LoraflowException(file + " not found; a LoRA adapter must be a PEFT directory with "
                    + "adapter_config.json and adapter_model.safetensors");
        }
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(Files.readAllBytes(file));
        } catch (JacksonException e) {
            throw new LoraflowException(file + ": invalid JSON (" + e.getOriginalMessage() + ")");
        } catch (IOException e) {
            throw new LoraflowException(file + ": cannot read: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw new LoraflowException(file + ": must be a JSON object");
        }
        return parse(root, file);
    }

    /** Parses an adapter_config.json tree; {@code file} names it in errors. */
    public static LoraConfig parse(JsonNode root, Path file) {
        String peftType = text(root, "peft_type", "LORA");
        if (!peftType.equals("LORA")) {
            throw fail(file, "peft_type", "is '" + peftType + "'; only LORA adapters are supported");
        }
        if (root.path("use_dora").asBoolean(false)) {
            throw fail(file, "use_dora", "is true; DoRA adapters cannot be applied as a sum of low-rank outputs "
                    + "(merge the adapter in PEFT first)");
        }
        String bias = text(root, "bias", "none");
        if (!bias.equals("none")) {
            throw fail(file, "bias", "is '" + bias + "'; adapters that train biases are not supported");
        }
        JsonNode modulesToSave = root.get("modules_to_save");
        if (modulesToSave != null && !modulesToSave.isNull() && !(modulesToSave.isArray() && modulesToSave.isEmpty())) {
            throw fail(file, "modules_to_save", "is " + modulesToSave + "; fully saved modules (e.g. a retrained "
                    + "lm_head) cannot be honoured, so the adapter would only be half applied");
        }
        JsonNode layersPattern = root.get("layers_pattern");
        if (layersPattern != null && !layersPattern.isNull() && !layersPattern.asText().equals("layers")
                && !(layersPattern.isArray() && layersPattern.size() == 1 && layersPattern.get(0).asText().equals("layers"))) {
            throw fail(file, "layers_pattern", "is " + layersPattern + "; Llama models only have 'layers'");
        }
        int r = positiveInt(root, "r", file);
        double alpha = root.hasNonNull("lora_alpha") ? root.get("lora_alpha").asDouble() : 8.0;
        TargetModules targets = parseTargets(root.get("target_modules"), file);
        return new LoraConfig(file, r, alpha, root.path("use_rslora").asBoolean(false), targets,
                intMap(root.get("rank_pattern"), file, "rank_pattern"),
                doubleMap(root.get("alpha_pattern"), file, "alpha_pattern"),
                parseLayers(root.get("layers_to_transform"), file),
                text(root, "base_model_name_or_path", ""));
    }

    private static TargetModules parseTargets(JsonNode node, Path file) {
        if (node == null || node.isNull()) {
            throw fail(file, "target_modules", "is missing; name the projections the adapter targets");
        }
        if (node.isTextual()) {
            String value = node.textValue();
            if (value.equals("all-linear")) {
                return new TargetModules.AllLinear();
            }
            try {
                return new TargetModules.Regex(Pattern.compile(value));
            } catch (PatternSyntaxException e) {
                throw fail(file, "target_modules", "is not a valid regular expression: " + e.getDescription());
            }
        }
        if (!node.isArray()) {
            throw fail(file, "target_modules", "must be a list of module names, a regex string or \"all-linear\"");
        }
        List<String> names = new ArrayList<>();
        for (JsonNode n : node) {
            String name = n.asText();
            if (name.contains("embed") || name.equals("lm_head")) {
                throw fail(file, "target_modules", "includes '" + name + "'; LoRA on embeddings or the output head "
                        + "is not supported");
            }
            names.add(name);
        }
        return new TargetModules.Names(List.copyOf(names));
    }

    private static Optional<Set<Integer>> parseLayers(JsonNode node, Path file) {
        if (node == null || node.isNull()) {
            return Optional.empty();
        }
        Set<Integer> layers = new java.util.TreeSet<>();
        if (node.isInt()) {
            layers.add(node.intValue());
        } else if (node.isArray()) {
            node.forEach(n -> layers.add(n.asInt()));
        } else {
            throw fail(file, "layers_to_transform", "must be an integer or a list of integers");
        }
        return Optional.of(Set.copyOf(layers));
    }

    /** Rank and scaling for one module: rank_pattern / alpha_pattern override r / lora_alpha (first matching key wins). */
    public int rankFor(String modulePath) {
        return matchPattern(rankPattern, modulePath).orElse(r);
    }

    public double scaleFor(String modulePath, int rank) {
        double a = matchPattern(alphaPattern, modulePath).orElse(alpha);
        return useRslora ? a / Math.sqrt(rank) : a / rank;
    }

    /** PEFT's rule: key K applies to a module whose full name matches {@code (.*\.)?K$}. */
    private static <T> Optional<T> matchPattern(Map<String, T> patterns, String modulePath) {
        for (Map.Entry<String, T> e : patterns.entrySet()) {
            if (Pattern.compile("(.*\\.)?(" + e.getKey() + ")$").matcher(modulePath).matches()) {
                return Optional.of(e.getValue());
            }
        }
        return Optional.empty();
    }

    public boolean appliesTo(int layer, Projection p) {
        return layersToTransform.map(s -> s.contains(layer)).orElse(true) && targetModules.matches(p.modulePath(layer));
    }

    private static String text(JsonNode root, String field, String fallback) {
        JsonNode v = root.get(field);
        return v == null || v.isNull() ? fallback : v.asText();
    }

    private static int positiveInt(JsonNode root, String field, Path file) {
        JsonNode v = root.get(field);
        if (v == null || !v.isIntegralNumber() || v.intValue() < 1) {
            throw fail(file, field, "must be a positive integer, got " + v);
        }
        return v.intValue();
    }

    private static Map<String, Integer> intMap(JsonNode node, Path file, String field) {
        Map<String, Integer> out = new LinkedHashMap<>();
        if (node != null && !node.isNull()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                var e = it.next();
                if (!e.getValue().isIntegralNumber() || e.getValue().intValue() < 1) {
                    throw fail(file, field, "value for '" + e.getKey() + "' must be a positive integer");
                }
                out.put(e.getKey(), e.getValue().intValue());
            }
        }
        return out;
    }

    private static Map<String, Double> doubleMap(JsonNode node, Path file, String field) {
        Map<String, Double> out = new LinkedHashMap<>();
        if (node != null && !node.isNull()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                var e = it.next();
                if (!e.getValue().isNumber()) {
                    throw fail(file, field, "value for '" + e.getKey() + "' must be a number");
                }
                out.put(e.getKey(), e.getValue().doubleValue());
            }
        }
        return out;
    }

    private static LoraflowException fail(Path file, String field, String what) {
        return new LoraflowException(file + ": field '" + field + "' " + what);
    }
}
