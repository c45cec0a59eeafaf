package dev.loraflow.model.data;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loraflow.core.LoraflowException;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a JSON Lines data file (formats.md): every non-blank line is {@code {"prompt", "response"}} or
 * {@code {"text"}}. The whole file is parsed before anything is returned, so a file with one bad line
 * yields nothing but an error naming the file and the line.
 */
public final class JsonlReader {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private JsonlReader() {}

    public static List<DataRecord> read(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (CharacterCodingException e) {
            throw new LoraflowException(file + ": not valid UTF-8; save the data file as UTF-8");
        } catch (IOException e) {
            throw new LoraflowException("cannot read data file " + file + ": " + e.getMessage(), e);
        }
        List<DataRecord> records = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (!lines.get(i).isBlank()) {
                records.add(parse(file, i + 1, lines.get(i)));
            }
        }
        if (records.isEmpty()) {
            throw new LoraflowException(file + ": no examples; expected one JSON object a line");
        }
        return List.copyOf(records);
    }

    private static DataRecord parse(Path file, int line, String text) {
        JsonNode node;
        try {
            node = MAPPER.readTree(text);
        } catch (JacksonException e) {
            throw bad(file, line, "invalid JSON (" + e.getOriginalMessage() + ")");
        }
        if (node == null || !node.isObject()) {
            throw bad(file, line, "expected a JSON object");
        }
        String prompt = string(file, line, node, "prompt");
        String response = string(file, line, node, "response");
        String plain = string(file, line, node, "text");
        if (plain != null && (prompt != null || response != null)) {
            throw bad(file, line, "has both \"text\" and \"prompt\"/\"response\"; use one form");
        }
        if (plain != null) {
            return new DataRecord.PlainText(line, plain);
        }
        if (prompt == null || response == null) {
            throw bad(file, line, prompt == null && response == null
                    ? "needs {\"prompt\": ..., \"response\": ...} or {\"text\": ...}"
                    : "has \"" + (prompt == null ? "response" : "prompt") + "\" but no \""
                            + (prompt == null ? "prompt" : "response") + "\"");
        }
        return new DataRecord.PromptResponse(line, prompt, response);
    }

    private static String string(Path file, int line, JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null) {
            return null;
        }
        if (!value.isTextual()) {
            throw bad(file, line, "\"" + field + "\" must be a string");
        }
        return value.asText();
    }

    private static LoraflowException bad(Path file, int line, String what) {
        return new LoraflowException(file + " line " + line + ": " + what);
    }
}
