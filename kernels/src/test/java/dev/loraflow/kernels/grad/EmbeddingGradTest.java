package dev.loraflow.kernels.grad;

import static dev.loraflow.kernels.grad.GradCheck.assertGradient;
import static dev.loraflow.kernels.grad.GradCheck.centralDifferences;
import static dev.loraflow.kernels.grad.GradCheck.uniform;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.loraflow.kernels.ThreadPool;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Embedding scatter-add with repeated ids (which must add up), against central differences of the lookup. */
class EmbeddingGradTest {
    private static final ThreadPool POOL = new ThreadPool(3);

    @AfterAll
    static void close() {
        POOL.close();
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 5, 17, 300})
    void scatterAddMatchesCentralDifferences(int dim) {
        int vocab = 6;
        int[] ids = {3, 0, 3, 5, 3};
        float[] table = uniform(dim, vocab * dim), dy = uniform(dim + 1, ids.length * dim);
        float[] dTable = new float[vocab * dim];
        EmbeddingGrad.scatterAdd(ids, dy, 0, dTable, vocab, dim, POOL);
        double[] expected = centralDifferences(in -> {
            double s = 0;
            for (int t = 0; t < ids.length; t++) {
                for (int c = 0; c < dim; c++) {
                    s += in[0][ids[t] * dim + c] * dy[t * dim + c];
                }
            }
            return s;
        }, 0, table);
        assertGradient(expected, dTable, 1e-6, "dTable");
        float[] ref = new float[vocab * dim];
        EmbeddingGrad.scatterAddReference(ids, dy, 0, ref, dim);
        assertArrayEquals(ref, dTable, 1e-6f);
        assertThrows(IllegalArgumentException.class, () -> EmbeddingGrad.scatterAdd(new int[] {vocab}, dy, 0, dTable, vocab, dim, POOL));
    }
}
