package dev.loraflow.bench;

import dev.loraflow.kernels.ThreadPool;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/** A benchmark whose kernels run on one pool of {@code threads} workers (two: this machine's cores), per trial. */
@State(Scope.Benchmark)
public abstract class PooledBenchmark {
    @Param({"2"})
    public int threads;

    ThreadPool pool;

    @Setup(Level.Trial)
    public void startPool() {
        pool = new ThreadPool(threads);
    }

    @TearDown(Level.Trial)
    public void stopPool() {
        pool.close();
    }
}
