package dev.loraflow.tokenizer;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * tokenizer.json read with a streaming parser: {@code model.vocab} and {@code model.merges}
 * (hundreds of thousands of entries for Llama 3) go straight into a map and string arrays; every
 * other section becomes a small JSON tree. A full tree of the file costs seconds at start-up.
 *
 * @param root   the file without {@code model.vocab} and {@code model.merges}
 * @param vocab  {@code model.vocab} as token -> id, or null when absent or not an object
 * @param merges {@code model.merges} as (left, right) pairs in rank order, or null when absent
 */
record TokenizerJsonDocument(JsonNode root, Map<String, Integer> vocab, List<String[]> merges) {
    // The vocabulary's 100k+ keys are read as field names; interning them would dominate loading.
    private static final ObjectMapper MAPPER = new ObjectMapper(JsonFactory.builder()
            .disable(JsonFactory.Feature.INTERN_FIELD_NAMES)
            .disable(JsonFactory.Feature.CANONICALIZE_FIELD_NAMES)
            .build());

    static TokenizerJsonDocument read(Path file) {
        try (JsonParser parser = MAPPER.getFactory().createParser(file.toFile())) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw new TokenizerException(file + " does not hold a JSON object; re-download it from the model's repository");
            }
            ObjectNode root = MAPPER.createObjectNode();
            Map<String, Integer> vocab = null;
            List<String[]> merges = null;
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String section = parser.currentName();
                parser.nextToken();
                if (!section.equals("model") || parser.currentToken() != JsonToken.START_OBJECT) {
                    root.set(section, MAPPER.readTree(parser));
                    continue;
                }
                ObjectNode model = root.putObject("model");
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    String field = parser.currentName();
                    JsonToken value = parser.nextToken();
                    if (field.equals("vocab") && value == JsonToken.START_OBJECT) {
                        vocab = readVocab(parser, file);
                    } else if (field.equals("merges") && value == JsonToken.START_ARRAY) {
                        merges = readMerges(parser, file);
                    } else {
                        model.set(field, MAPPER.readTree(parser));
                    }
                }
            }
            return new TokenizerJsonDocument(root, vocab, merges);
        } catch (JsonProcessingException e) {
            throw JsonFiles.invalidJson(file, e);
        } catch (IOException e) {
            throw new TokenizerException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static Map<String, Integer> readVocab(JsonParser parser, Path file) throws IOException {
        Map<String, Integer> vocab = new HashMap<>();
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String token = parser.currentName();
            if (parser.nextToken() != JsonToken.VALUE_NUMBER_INT) {
                throw new TokenizerException(file + ": model.vocab[\"" + token + "\"] must be an integer id");
            }
            vocab.put(token, parser.getIntValue());
        }
        return vocab;
    }

    /** Each merge is {@code "left right"} (older files) or {@code ["left", "right"]}. */
    private static List<String[]> readMerges(JsonParser parser, Path file) throws IOException {
        List<String[]> merges = new ArrayList<>();
        for (JsonToken t = parser.nextToken(); t != JsonToken.END_ARRAY; t = parser.nextToken()) {
            String[] pair = null;
            if (t == JsonToken.VALUE_STRING) {
                String text = parser.getText();
                int space = text.indexOf(' ', 1);
                pair = space < 0 ? null : new String[] {text.substring(0, space), text.substring(space + 1)};
            } else if (t == JsonToken.START_ARRAY) {
                String left = parser.nextToken() == JsonToken.VALUE_STRING ? parser.getText() : null;
                String right = parser.nextToken() == JsonToken.VALUE_STRING ? parser.getText() : null;
                pair = left != null && right != null && parser.nextToken() == JsonToken.END_ARRAY
                        ? new String[] {left, right} : null;
            }
            if (pair == null) {
                throw new TokenizerException(file + ": model.merges[" + merges.size()
                        + "] is neither \"left right\" nor [\"left\", \"right\"]");
            }
            merges.add(pair);
        }
        return merges;
    }
}
