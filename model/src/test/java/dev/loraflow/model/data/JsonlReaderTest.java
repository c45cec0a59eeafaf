package dev.loraflow.model.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loraflow.core.LoraflowException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonlReaderTest {
    @TempDir
    Path tmp;

    private Path write(String... lines) throws Exception {
        Path file = tmp.resolve("data.jsonl");
        Files.writeString(file, String.join("\n", lines) + "\n");
        return file;
    }

    @Test
    void readsBothFormsWithTheirLineNumbersSkippingBlankLines() throws Exception {
        List<DataRecord> records = JsonlReader.read(write(
                "{\"prompt\": \"Q: 1+1?\", \"response\": \"2\"}",
                "",
                "{\"text\": \"Once upon a time\", \"source\": \"extra fields are ignored\"}"));
        assertEquals(List.of(new DataRecord.PromptResponse(1, "Q: 1+1?", "2"), new DataRecord.PlainText(3, "Once upon a time")),
                records);
    }

    @Test
    void badLinesNameTheFileAndTheLine() throws Exception {
        String good = "{\"prompt\": \"a\", \"response\": \"b\"}";
        String[][] cases = {
            {good, good, "{\"prompt\": \"a\", "},
            {good, good, "{\"question\": \"a\", \"answer\": \"b\"}"},
            {good, good, "{\"prompt\": \"a\"}"},
            {good, good, "{\"prompt\": 1, \"response\": \"b\"}"},
            {good, good, "[\"a\", \"b\"]"},
            {good, good, "{\"text\": \"a\", \"prompt\": \"b\", \"response\": \"c\"}"},
        };
        String[] expected = {"invalid JSON", "{\"text\": ...}", "no \"response\"", "must be a string", "JSON object", "one form"};
        for (int i = 0; i < cases.length; i++) {
            Path file = write(cases[i]);
            LoraflowException e = assertThrows(LoraflowException.class, () -> JsonlReader.read(file));
            assertTrue(e.getMessage().startsWith(file + " line 3: ") && e.getMessage().contains(expected[i]), e.getMessage());
        }
    }

    @Test
    void anEmptyFileIsAnError() throws Exception {
        Path file = write("", "  ");
        assertTrue(assertThrows(LoraflowException.class, () -> JsonlReader.read(file)).getMessage().contains("no examples"));
    }
}
