package dev.loraflow.model.data;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/** The tokenised examples of a JSON Lines file, in file order. */
public record Dataset(Path file, List<Example> examples) {
    public Dataset {
        examples = List.copyOf(examples);
    }

    /** Parses the whole file (nothing is returned when any line is bad), then tokenises every record. */
    public static Dataset load(Path file, ExampleEncoder encoder) {
        return new Dataset(file, JsonlReader.read(file).stream().map(encoder::encode).toList());
    }

    public int size() {
        return examples.size();
    }

    /** Line numbers of the examples cut to the maximum length (empty when none was). */
    public List<Integer> truncatedLines() {
        return examples.stream().filter(Example::truncated).map(e -> e.source().line()).toList();
    }

    /** Consecutive batches of at most {@code batchSize} examples, shuffled first when {@code shuffle} is given. */
    public List<List<Example>> batches(int batchSize, Random shuffle) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
        }
        List<Example> order = new ArrayList<>(examples);
        if (shuffle != null) {
            Collections.shuffle(order, shuffle);
        }
        List<List<Example>> batches = new ArrayList<>();
        for (int i = 0; i < order.size(); i += batchSize) {
            batches.add(List.copyOf(order.subList(i, Math.min(order.size(), i + batchSize))));
        }
        return batches;
    }
}
