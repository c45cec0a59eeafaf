package dev.loraflow.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ThreadPoolTest {
    @Test
    void coversEveryIndexExactlyOnce() {
        try (ThreadPool pool = new ThreadPool(4)) {
            for (int n : new int[] {1, 2, 3, 4, 5, 17, 1000}) {
                int[] hits = new int[n];
                for (int rep = 0; rep < 200; rep++) {
                    pool.parallelFor(n, (s, e) -> {
                        assertTrue(s < e, "empty chunk");
                        for (int i = s; i < e; i++) {
                            hits[i]++;
                        }
                    });
                }
                for (int i = 0; i < n; i++) {
                    assertEquals(200, hits[i], "n=" + n + " index " + i);
                }
            }
        }
    }

    @Test
    void zeroIsANoOp() {
        try (ThreadPool pool = new ThreadPool(2)) {
            pool.parallelFor(0, (s, e) -> {
                throw new AssertionError("must not run");
            });
        }
    }

    @Test
    void fewerItemsThanThreads() {
        try (ThreadPool pool = new ThreadPool(8)) {
            AtomicInteger sum = new AtomicInteger();
            pool.parallelFor(3, (s, e) -> sum.addAndGet(e - s));
            assertEquals(3, sum.get());
        }
    }

    @Test
    void exceptionsPropagateAndPoolSurvives() {
        try (ThreadPool pool = new ThreadPool(3)) {
            IllegalStateException boom = new IllegalStateException("boom");
            for (int rep = 0; rep < 50; rep++) {
                IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> pool.parallelFor(64, (s, e) -> {
                    if (s <= 40 && 40 < e) {
                        throw boom;
                    }
                }));
                assertSame(boom, thrown);
            }
            assertThrows(AssertionError.class, () -> pool.parallelFor(5, (s, e) -> {
                throw new AssertionError("error too");
            }));
            AtomicInteger sum = new AtomicInteger();
            pool.parallelFor(100, (s, e) -> sum.addAndGet(e - s));
            assertEquals(100, sum.get());
        }
    }

    @Test
    void identicalToSingleThread() {
        float[] x = TestData.uniform(1, 10_000);
        float[] one = new float[x.length];
        float[] many = new float[x.length];
        try (ThreadPool a = new ThreadPool(1); ThreadPool b = new ThreadPool(3)) {
            a.parallelFor(x.length, (s, e) -> { for (int i = s; i < e; i++) one[i] = (float) Math.sin(x[i]) * x[i]; });
            b.parallelFor(x.length, (s, e) -> { for (int i = s; i < e; i++) many[i] = (float) Math.sin(x[i]) * x[i]; });
        }
        assertArrayEquals(one, many);
    }

    @Test
    void nestedCallsRunInline() {
        try (ThreadPool pool = new ThreadPool(2)) {
            AtomicInteger sum = new AtomicInteger();
            pool.parallelFor(4, (s, e) -> pool.parallelFor(10, (s2, e2) -> sum.addAndGet(e2 - s2)));
            assertEquals(40, sum.get());
        }
    }

    @Test
    void concurrentCallersAreSerialised() throws Exception {
        try (ThreadPool pool = new ThreadPool(2)) {
            AtomicInteger sum = new AtomicInteger();
            Thread[] callers = new Thread[3];
            for (int c = 0; c < callers.length; c++) {
                callers[c] = new Thread(() -> {
                    for (int rep = 0; rep < 300; rep++) {
                        pool.parallelFor(7, (s, e) -> sum.addAndGet(e - s));
                    }
                });
                callers[c].start();
            }
            for (Thread t : callers) {
                t.join();
            }
            assertEquals(3 * 300 * 7, sum.get());
        }
    }

    @Test
    void survivesIdleParking() throws InterruptedException {
        try (ThreadPool pool = new ThreadPool(2)) {
            AtomicInteger sum = new AtomicInteger();
            pool.parallelFor(10, (s, e) -> sum.addAndGet(e - s));
            Thread.sleep(50); // workers park after spinning
            pool.parallelFor(10, (s, e) -> sum.addAndGet(e - s));
            assertEquals(20, sum.get());
        }
    }

    @Test
    void rejectsBadArguments() {
        assertThrows(IllegalArgumentException.class, () -> new ThreadPool(0));
        try (ThreadPool pool = new ThreadPool(1)) {
            assertEquals(1, pool.threads());
            assertThrows(IllegalArgumentException.class, () -> pool.parallelFor(-1, (s, e) -> { }));
        }
        assertTrue(ThreadPool.defaultThreads() >= 1);
    }
}
