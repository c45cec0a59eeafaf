package dev.loraflow.model.tools;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loraflow.core.DType;
import dev.loraflow.core.Tensor;
import dev.loraflow.core.config.LlamaConfig;
import dev.loraflow.kernels.ThreadPool;
import dev.loraflow.model.llama.InferenceSession;
import dev.loraflow.model.llama.LlamaModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RandomModelWriterTest {
    @TempDir
    Path tmp;

    private static final ModelShape TINY = ModelShape.named("tiny").orElseThrow();

    private Path write(String name, DType dtype, long seed, int threads) {
        try (ThreadPool pool = new ThreadPool(threads)) {
            Path dir = tmp.resolve(name);
            new RandomModelWriter(pool).write(TINY, dtype, seed, dir);
            return dir;
        }
    }

    private static byte[] bytes(Path dir) throws Exception {
        return Files.readAllBytes(dir.resolve("model.safetensors"));
    }

    @Test
    void tinyModelLoadsWithTheShapesConfig() {
        Path dir = write("m", DType.BF16, 1, 2);
        try (LlamaModel model = LlamaModel.load(dir)) {
            LlamaConfig c = model.config();
            assertEquals(64, c.hiddenSize());
            assertEquals(2, c.numLayers());
            assertEquals(4, c.numHeads());
            assertEquals(2, c.numKvHeads());
            assertFalse(c.tieWordEmbeddings());
            assertEquals("bfloat16", c.torchDtype());
            // embed + 2 × (q, k, v, o, gate, up, down, two norms) + final norm + lm_head, counted by hand
            long d = 64, inter = 172, kv = 32, vocab = 512;
            long layer = 2 * d * d + 2 * kv * d + 3 * d * inter + 2 * d;
            assertEquals(vocab * d + 2 * layer + d + vocab * d, model.parameterCount());
            assertEquals(2 * model.parameterCount(), model.weightBytes());
        }
    }

    @Test
    void sameSeedSameBytesWhateverTheThreadCount() throws Exception {
        byte[] a = bytes(write("a", DType.BF16, 7, 1));
        byte[] b = bytes(write("b", DType.BF16, 7, 2));
        assertArrayEquals(a, b);
        assertArrayEquals(Files.readAllBytes(tmp.resolve("a/config.json")), Files.readAllBytes(tmp.resolve("b/config.json")));
    }

    @Test
    void differentSeedDifferentWeights() throws Exception {
        assertFalse(Arrays.equals(bytes(write("a", DType.BF16, 7, 2)), bytes(write("b", DType.BF16, 8, 2))));
    }

    @Test
    void matricesAreSmallGaussiansAndNormsAreOnes() {
        Path dir = write("m", DType.F32, 3, 2);
        try (LlamaModel model = LlamaModel.load(dir)) {
            Tensor up = model.layers().get(1).up().weight();
            assertEquals(DType.F32, up.dtype());
            float[] v = up.toFloatArray();
            double mean = Arrays.stream(toDoubles(v)).average().orElseThrow();
            double std = Math.sqrt(Arrays.stream(toDoubles(v)).map(x -> (x - mean) * (x - mean)).sum() / v.length);
            assertEquals(0.0, mean, 0.001);
            assertEquals(0.02, std, 0.001);
            float[] norm = model.layers().get(0).inputNorm();
            float[] ones = new float[norm.length];
            Arrays.fill(ones, 1f);
            assertArrayEquals(ones, norm);
            assertArrayEquals(ones, model.finalNorm());
        }
    }

    @Test
    void forwardPassGivesFiniteVaryingLogits() {
        Path dir = write("m", DType.F16, 5, 2);
        try (LlamaModel model = LlamaModel.load(dir); ThreadPool pool = new ThreadPool(2)) {
            assertEquals(DType.F16, model.embedTokens().dtype());
            float[] logits = new InferenceSession(model, 8, pool).forward(new int[] {1, 100, 200, 300}, 0, 4);
            assertEquals(512, logits.length);
            for (float x : logits) {
                assertTrue(Float.isFinite(x), "logit " + x);
            }
            float min = logits[0], max = logits[0];
            for (float x : logits) {
                min = Math.min(min, x);
                max = Math.max(max, x);
            }
            assertTrue(max > min, "random weights should not give constant logits");
        }
    }

    @Test
    void rewritingReplacesTheFilesAndLeavesNoTemporaries() throws Exception {
        Path dir = write("m", DType.BF16, 1, 2);
        try (ThreadPool pool = new ThreadPool(2)) {
            new RandomModelWriter(pool).write(TINY, DType.F32, 1, dir);
        }
        try (LlamaModel model = LlamaModel.load(dir)) {
            assertEquals(DType.F32, model.embedTokens().dtype());
            assertEquals(4 * model.parameterCount(), model.weightBytes());
        }
        try (var listing = Files.list(dir)) {
            assertEquals(2, listing.count(), "config.json and model.safetensors only");
        }
    }

    private static double[] toDoubles(float[] v) {
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i];
        }
        return out;
    }
}
