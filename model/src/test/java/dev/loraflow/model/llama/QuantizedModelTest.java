package dev.loraflow.model.llama;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loraflow.core.LoraflowException;
import dev.loraflow.core.Tensor;
import dev.loraflow.core.safetensors.Residency;
import dev.loraflow.core.safetensors.SafetensorsFile;
import dev.loraflow.core.safetensors.SafetensorsWriter;
import dev.loraflow.kernels.Q8_0;
import dev.loraflow.kernels.ThreadPool;
import dev.loraflow.model.Fixtures;
import dev.loraflow.testing.SharedData;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --quantize q8_0: the engine on Q8_0 weights equals the F32 engine on the same weights rounded through Q8_0. */
class QuantizedModelTest {
    @TempDir
    Path tmp;

    /** A copy of a model whose matrices with rows a multiple of 32 long are replaced by their Q8_0 round trip. */
    private Path roundTripped(Path source) throws Exception {
        Path out = Files.createDirectories(tmp.resolve("rounded"));
        Files.copy(source.resolve("config.json"), out.resolve("config.json"));
        SafetensorsWriter writer = new SafetensorsWriter();
        try (SafetensorsFile f = SafetensorsFile.open(source.resolve("model.safetensors")); Arena arena = Arena.ofConfined()) {
            for (Tensor t : f.tensors().values()) {
                float[] values = t.toFloatArray();
                boolean matrix = t.rank() == 2 && t.dim(1) % Q8_0.BLOCK == 0 && !t.name().equals("model.embed_tokens.weight");
                if (matrix) {
                    MemorySegment q = arena.allocate(Q8_0.bytes(1, values.length));
                    Q8_0.quantize(values, 0, values.length, q, 0);
                    Q8_0.dequantize(q, 0, values.length, values, 0);
                }
                writer.addF32(t.name(), t.shape(), values);
            }
            // a tied head reads the embedding: give the rounded model its own rounded head
            if (f.find("lm_head.weight").isEmpty()) {
                float[] head = f.require("model.embed_tokens.weight").toFloatArray();
                MemorySegment q = arena.allocate(Q8_0.bytes(1, head.length));
                Q8_0.quantize(head, 0, head.length, q, 0);
                Q8_0.dequantize(q, 0, head.length, head, 0);
                writer.addF32("lm_head.weight", f.require("model.embed_tokens.weight").shape(), head);
            }
        }
        writer.write(out.resolve("model.safetensors"));
        String config = Files.readString(out.resolve("config.json")).replace("\"tie_word_embeddings\": true", "\"tie_word_embeddings\": false");
        Files.writeString(out.resolve("config.json"), config);
        return out;
    }

    @Test
    void q8ModelEqualsTheF32ModelOfRoundedWeights() throws Exception {
        Path source = SharedData.require("models/stories260K");
        int[] ids = Fixtures.readIds(source.resolve("reference/ref_ids_once_upon_n64.txt"));
        Path rounded = roundTripped(source);
        try (ThreadPool pool = new ThreadPool(2);
             LlamaModel q8 = LlamaModel.loadQuantized(source, WeightFormat.Q8_0, pool);
             LlamaModel reference = LlamaModel.load(rounded)) {
            assertEquals(WeightFormat.Q8_0, q8.weightFormat());
            float[] expected = new InferenceSession(reference, ids.length, pool).forwardAll(ids);
            float[] actual = new InferenceSession(q8, ids.length, pool).forwardAll(ids);
            double diff = Fixtures.maxAbsDiff(expected, actual);
            assertTrue(diff < 1e-4, "Q8_0 engine vs F32 engine on rounded weights: " + diff);
            float[] exact = new InferenceSession(LlamaModel.load(source), ids.length, pool).forwardAll(ids);
            assertTrue(Fixtures.maxAbsDiff(exact, actual) > 1e-4, "quantisation must actually change the weights");
            assertTrue(q8.weightBytes() < reference.weightBytes() * 0.5, "Q8_0 holds about a quarter of F32's bytes");
            LoraflowException e = assertThrows(LoraflowException.class, () -> q8.layers().get(0).q().weight());
            assertTrue(e.getMessage().contains("--quantize"));
        }
    }

    /** Quantising reports the file's bytes: the rest at once, then one report per converted matrix, summing to the data section. */
    @Test
    void quantisingReportsEveryByteOfTheFileOnce() throws Exception {
        Path tied = SharedData.require("models/stories260K");
        for (Path dir : new Path[] {tied, roundTripped(tied)}) {
            long dataBytes;
            int matrices;
            try (LlamaModel mapped = LlamaModel.load(dir, Residency.MAPPED)) {
                dataBytes = mapped.weightBytes();
                matrices = 7 * mapped.config().numLayers() + 1;
            }
            List<Long> reports = new ArrayList<>();
            try (ThreadPool pool = new ThreadPool(2);
                 LlamaModel q8 = LlamaModel.loadQuantized(dir, WeightFormat.Q8_0, pool, reports::add)) {
                assertEquals(1 + matrices, reports.size(), dir + ": the rest, then each matrix");
                assertEquals(dataBytes, reports.stream().mapToLong(Long::longValue).sum(), dir + ": bytes reported");
                assertTrue(reports.stream().allMatch(b -> b > 0), dir + ": no empty report: " + reports);
            }
        }
    }

    /** The one load for both doors (LanguageModel.open, bench): quantised when asked, else the file's dtype. */
    @Test
    void loadQuantisesOnlyWhenAsked() {
        Path dir = SharedData.require("models/stories260K");
        try (ThreadPool pool = new ThreadPool(2);
             LlamaModel q8 = LlamaModel.load(dir, WeightFormat.Q8_0, Residency.IN_MEMORY, pool, bytes -> { });
             LlamaModel file = LlamaModel.load(dir, null, Residency.IN_MEMORY, pool, bytes -> { })) {
            assertEquals(WeightFormat.Q8_0, q8.weightFormat());
            assertTrue(file.weightFormat() != WeightFormat.Q8_0, "no quantisation asked: " + file.weightFormat());
            assertTrue(!file.layers().get(0).q().weight().data().isMapped(), "IN_MEMORY is a copy, not the mapping");
        }
    }

    @Test
    void unknownQuantisationIsRefused() {
        LoraflowException e = assertThrows(LoraflowException.class, () -> WeightFormat.quantizationOf("q4_k"));
        assertTrue(e.getMessage().contains("q4_k") && e.getMessage().contains("q8_0"));
        assertEquals(null, WeightFormat.quantizationOf("none"));
    }
}
