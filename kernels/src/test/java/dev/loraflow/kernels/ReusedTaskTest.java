package dev.loraflow.kernels;

import static dev.loraflow.kernels.TestData.assertClose;
import static dev.loraflow.kernels.TestData.uniform;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * MatMul and Attention reuse one task object per thread instead of allocating per call. These check that the reuse
 * is safe where calls meet: calls nested in another job (run inline on the caller and on the workers) and two
 * threads sharing one pool. Results must equal those of a single-thread pool exactly (work is split by output rows
 * and heads, so the split does not change the arithmetic).
 */
class ReusedTaskTest {
    private static final int ROWS = 37;
    private static final int COLS = 96;
    private static final int JOBS = 12;

    /** [job][dtype] */
    private static final MemorySegment[][] WEIGHTS = new MemorySegment[JOBS][Dtype.values().length];

    static {
        for (int j = 0; j < JOBS; j++) {
            for (Dtype d : Dtype.values()) {
                WEIGHTS[j][d.ordinal()] = TestData.weights(d, uniform(100 + j, ROWS * COLS), COLS, 0);
            }
        }
    }

    /** Job j's matvec of every dtype, then an attention step, on {@code pool}; returns them concatenated. */
    private static float[] job(int j, ThreadPool pool) {
        float[] out = new float[Dtype.values().length * ROWS + 4 * 16];
        float[] x = uniform(200 + j, COLS);
        int at = 0;
        for (Dtype d : Dtype.values()) {
            MatMulTest.run(d, WEIGHTS[j][d.ordinal()], 0, ROWS, COLS, x, 0, out, at, 1, pool);
            at += ROWS;
        }
        int heads = 4, kvHeads = 2, headDim = 16, positions = 9;
        float[] q = uniform(300 + j, heads * headDim);
        float[] k = uniform(400 + j, positions * kvHeads * headDim);
        float[] v = uniform(500 + j, positions * kvHeads * headDim);
        Attention.causal(q, 0, k, v, out, at, positions - 1, 1, heads, kvHeads, headDim, 0.25f, pool);
        return out;
    }

    private static float[][] singleThreaded() {
        float[][] expected = new float[JOBS][];
        try (ThreadPool one = new ThreadPool(1)) {
            for (int j = 0; j < JOBS; j++) {
                expected[j] = job(j, one);
            }
        }
        return expected;
    }

    @Test
    void callsNestedInAJobRunInlineAndAgree() {
        float[][] expected = singleThreaded();
        float[][] actual = new float[JOBS][];
        try (ThreadPool pool = new ThreadPool(3)) {
            for (int rep = 0; rep < 20; rep++) {
                pool.parallelFor(JOBS, (j0, j1) -> {
                    for (int j = j0; j < j1; j++) {
                        actual[j] = job(j, pool); // nested: runs inline on whichever thread took this chunk
                    }
                });
                for (int j = 0; j < JOBS; j++) {
                    assertClose(expected[j], actual[j], 0f, "nested job " + j + " rep " + rep);
                }
            }
        }
    }

    @Test
    void twoThreadsSharingAPoolAgree() throws InterruptedException {
        float[][] expected = singleThreaded();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        try (ThreadPool pool = new ThreadPool(3)) {
            Thread[] callers = new Thread[2];
            for (int c = 0; c < callers.length; c++) {
                int first = c;
                callers[c] = new Thread(() -> {
                    try {
                        for (int rep = 0; rep < 10; rep++) {
                            for (int j = first; j < JOBS; j += 2) {
                                assertClose(expected[j], job(j, pool), 0f, "caller " + first + " job " + j + " rep " + rep);
                            }
                        }
                    } catch (Throwable t) {
                        failure.compareAndSet(null, t);
                    }
                });
                callers[c].start();
            }
            for (Thread t : callers) {
                t.join();
            }
        }
        assertNull(failure.get(), () -> "a caller failed: " + failure.get());
    }
}
