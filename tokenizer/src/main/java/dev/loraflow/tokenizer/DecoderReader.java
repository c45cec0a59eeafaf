package dev.loraflow.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Builds a {@link TokenDecoder} from tokenizer.json's {@code decoder} section. */
final class DecoderReader {
    /** Per-token steps; Fuse needs none because bytes are concatenated anyway. */
    private sealed interface Step permits Replace, ByteFallback, ByteLevel {}

    private record Replace(String from, String to) implements Step {}

    private record ByteFallback() implements Step {}

    private record ByteLevel() implements Step {}

    private final Path file;
    private final List<Step> steps = new ArrayList<>();
    private char stripChar = ' ';
    private int leadingStrip;

    private DecoderReader(Path file) {
        this.file = file;
    }

    static TokenDecoder read(JsonNode node, Vocabulary vocabulary, Path file) {
        DecoderReader reader = new DecoderReader(file);
        reader.add(node);
        byte[][] bytesById = new byte[vocabulary.size()][];
        for (int id = 0; id < bytesById.length; id++) {
            if (vocabulary.contains(id)) {
                bytesById[id] = reader.bytesOf(vocabulary.token(id));
            }
        }
        return new TokenDecoder(vocabulary, bytesById, reader.stripChar, reader.leadingStrip);
    }

    private void add(JsonNode node) {
        if (node == null || node.isNull()) {
            return;
        }
        String type = node.path("type").asText();
        switch (type) {
            case "Sequence" -> node.path("decoders").forEach(this::add);
            case "Replace" -> {
                if (!node.path("pattern").has("String")) {
                    throw new TokenizerException(file + ": only string patterns are supported in a Replace decoder");
                }
                steps.add(new Replace(node.path("pattern").get("String").asText(), node.path("content").asText()));
            }
            case "ByteFallback" -> steps.add(new ByteFallback());
            case "Fuse" -> { }
            case "Strip" -> {
                if (node.path("stop").asInt(0) != 0) {
                    throw new TokenizerException(file + ": a Strip decoder with stop > 0 is not supported");
                }
                stripChar = node.path("content").asText(" ").charAt(0);
                leadingStrip = node.path("start").asInt(0);
            }
            case "ByteLevel" -> steps.add(new ByteLevel());
            case "Metaspace" -> {
                String replacement = node.path("replacement").asText("\u2581");
                steps.add(new Replace(replacement, " "));
                boolean prepends = node.has("prepend_scheme")
                        ? !"never".equals(node.get("prepend_scheme").asText())
                        : node.path("add_prefix_space").asBoolean(true);
                stripChar = ' ';
                leadingStrip = prepends ? 1 : 0;
            }
            default -> throw new TokenizerException("unsupported decoder type '" + type + "' in " + file
                    + " (decoder.type); supported: Sequence, Replace, ByteFallback, Fuse, Strip, ByteLevel, Metaspace");
        }
    }

    private byte[] bytesOf(String token) {
        String text = token;
        for (Step step : steps) {
            switch (step) {
                case Replace r -> text = text.replace(r.from(), r.to());
                case ByteFallback b -> {
                    int value = byteTokenValue(text);
                    if (value >= 0) {
                        return new byte[] {(byte) value};
                    }
                }
                case ByteLevel b -> {
                    byte[] bytes = ByteLevelAlphabet.decode(text);
                    // Like HF: a token with characters outside the byte alphabet (an added token) decodes as itself.
                    return bytes != null ? bytes : text.getBytes(StandardCharsets.UTF_8);
                }
            }
        }
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** The byte of a {@code <0xNN>} token, else -1. */
    private static int byteTokenValue(String token) {
        if (token.length() != 6 || !token.startsWith("<0x") || token.charAt(5) != '>') {
            return -1;
        }
        try {
            return Integer.parseInt(token.substring(3, 5), 16);
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
