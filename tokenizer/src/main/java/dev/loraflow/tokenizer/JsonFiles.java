package dev.loraflow.tokenizer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;

/** Reads tokenizer JSON files, turning parse failures into messages that name the file. */
final class JsonFiles {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private JsonFiles() {}

    static JsonNode read(Path file) {
        try {
            JsonNode root = MAPPER.readTree(file.toFile());
            if (root == null || !root.isObject()) {
                throw new TokenizerException(file + " does not hold a JSON object; re-download it from the model's repository");
            }
            return root;
        } catch (JsonProcessingException e) {
            throw invalidJson(file, e);
        } catch (IOException e) {
            throw new TokenizerException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    static TokenizerException invalidJson(Path file, JsonProcessingException e) {
        String where = e.getLocation() == null ? ""
                : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
        return new TokenizerException(file + " is not valid JSON (" + e.getOriginalMessage() + where
                + "); re-download it from the model's repository", e);
    }

    /** A field that must be present, e.g. {@code required(root, "model", file)}. */
    static JsonNode required(JsonNode parent, String field, String path, Path file) {
        JsonNode node = parent.get(field);
        if (node == null || node.isNull()) {
            throw new TokenizerException(file + " has no " + path + field
                    + "; it is not a complete HuggingFace tokenizer file (re-download it)");
        }
        return node;
    }

    /** A token given as a string or as {@code {"content": ...}} (tokenizer_config.json allows both). */
    static String tokenContent(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        return node.isObject() ? node.path("content").asText(null) : node.asText(null);
    }
}
