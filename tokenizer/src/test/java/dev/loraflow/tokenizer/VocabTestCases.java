package dev.loraflow.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads llama.cpp-style tokenizer test files: every input is followed by a line
 * {@code __ggml_vocab_test__} (so the file ends with one), and the ids file has one line of
 * space-separated ids per input (an empty line for an input that has none).
 */
final class VocabTestCases {
    record Case(String input, int[] ids) {
        @Override
        public String toString() {
            return "'" + input.replace("\n", "\\n") + "' -> " + Arrays.toString(ids);
        }
    }

    private static final String SEPARATOR = "\n__ggml_vocab_test__\n";

    private VocabTestCases() {}

    static List<Case> read(Path inputsFile, Path idsFile) throws IOException {
        String all = Files.readString(inputsFile, StandardCharsets.UTF_8);
        List<String> inputs = new ArrayList<>(Arrays.asList(all.split(SEPARATOR, -1)));
        assertEquals("", inputs.removeLast(), inputsFile + " should end with the separator line");
        List<String> idLines = Files.readAllLines(idsFile, StandardCharsets.UTF_8);
        assertEquals(inputs.size(), idLines.size(), "one ids line per input in " + idsFile);
        List<Case> cases = new ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) {
            String line = idLines.get(i).strip();
            int[] ids = line.isEmpty() ? new int[0] : Arrays.stream(line.split("\\s+")).mapToInt(Integer::parseInt).toArray();
            cases.add(new Case(inputs.get(i), ids));
        }
        return cases;
    }
}
