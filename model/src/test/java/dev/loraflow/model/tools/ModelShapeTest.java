package dev.loraflow.model.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ModelShapeTest {
    private static long parameters(String shape) {
        return ModelShape.named(shape).orElseThrow().tensors().stream().mapToLong(TensorSpec::numel).sum();
    }

    @Test
    void tinyLlamaHasItsPublishedParameterCount() {
        assertEquals(1_100_048_384L, parameters("tinyllama-1.1b")); // TinyLlama-1.1B's model card figure
    }

    @Test
    void storiesShapesTieTheirEmbeddings() {
        for (String name : new String[] {"stories15m", "stories110m"}) {
            ModelShape s = ModelShape.named(name).orElseThrow();
            assertTrue(s.tiedEmbeddings());
            assertTrue(s.tensors().stream().noneMatch(t -> t.name().equals("lm_head.weight")), name);
        }
        // llama2.c's stories15M: 288 dim, 6 layers, 768 hidden, 32000 vocab, tied
        long d = 288, inter = 768, layers = 6, vocab = 32000;
        assertEquals(vocab * d + layers * (4 * d * d + 3 * d * inter + 2 * d) + d, parameters("stories15m"));
    }

    @Test
    void unknownNameIsEmpty() {
        assertFalse(ModelShape.named("gpt-5").isPresent());
        assertTrue(ModelShape.names().contains("tiny"));
    }
}
