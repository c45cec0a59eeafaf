package dev.loraflow.kernels;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A fixed pool of worker threads (the calling thread works too); no allocation per call in the steady state.
 *
 * <p>{@link #parallelFor} publishes one job at a time. Chunks are claimed from a single counter whose high half is
 * the job's generation, so a worker that wakes late can never claim a chunk of a job that has already moved on.
 * Workers spin briefly between jobs (decode issues hundreds of short jobs per token) and then park.
 * A {@code parallelFor} issued from inside a task of the same pool runs inline on that thread.
 */
public final class ThreadPool implements AutoCloseable {
    /** Spin iterations before a waiting thread parks: roughly tens of microseconds. */
    private static final int SPIN = 1 << 14;
    /** Chunks per thread: a little finer than one so a descheduled thread delays the job less. */
    private static final int CHUNKS_PER_THREAD = 4;

    private final int threads;
    private final Worker[] workers;
    private final ReentrantLock callLock = new ReentrantLock();
    private final float[][][] scratch;

    // The current job: plain fields written before the volatile generation store that publishes them.
    private RangeTask task;
    private int n;
    private int chunks;
    private Thread caller;
    private volatile int generation;
    /** (generation << 32) | next unclaimed chunk. */
    private final AtomicLong claim = new AtomicLong();
    private final AtomicInteger done = new AtomicInteger();
    private volatile Throwable failure;
    private volatile boolean callerParked;
    private volatile boolean closed;

    public ThreadPool(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        this.threads = threads;
        this.scratch = new float[threads][][];
        this.workers = new Worker[threads - 1];
        for (int i = 0; i < workers.length; i++) {
            workers[i] = new Worker(i + 1);
            workers[i].start();
        }
    }

    public static int defaultThreads() {
        return Runtime.getRuntime().availableProcessors();
    }

    public int threads() {
        return threads;
    }

    /** The ids of this pool's worker threads (not the callers'), e.g. to account for the memory they allocate. */
    public long[] workerThreadIds() {
        long[] ids = new long[workers.length];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = workers[i].threadId();
        }
        return ids;
    }

    /**
     * Runs {@code task} over [0, n) split into contiguous chunks, and returns when all have run.
     * The first exception thrown by any chunk is rethrown here (remaining chunks are skipped).
     */
    public void parallelFor(int n, RangeTask task) {
        if (n < 0) {
            throw new IllegalArgumentException("n must be >= 0, got " + n);
        }
        if (n == 0) {
            return;
        }
        if (closed) {
            throw new IllegalStateException("ThreadPool is closed");
        }
        if (Thread.currentThread() instanceof Worker w && w.pool() == this) {
            task.run(0, n); // nested inside one of our tasks: the caller holds callLock and waits for this chunk
            return;
        }
        if (threads == 1 || n == 1 || callLock.isHeldByCurrentThread()) {
            callLock.lock(); // serialises scratch slot 0 between callers; reentrant for nested calls
            try {
                task.run(0, n);
            } finally {
                callLock.unlock();
            }
            return;
        }
        callLock.lock();
        try {
            runJob(n, task);
        } finally {
            callLock.unlock();
        }
    }

    private void runJob(int n, RangeTask task) {
        this.task = task;
        this.n = n;
        this.chunks = Math.min(n, threads * CHUNKS_PER_THREAD);
        this.caller = Thread.currentThread();
        this.failure = null;
        done.set(0);
        int gen = generation + 1;
        claim.set((long) gen << 32);
        generation = gen; // publishes the fields above
        for (Worker w : workers) {
            if (w.parked) {
                LockSupport.unpark(w);
            }
        }
        work(gen);
        int total = chunks;
        for (int spins = 0; done.get() < total; spins++) {
            if (spins < SPIN) {
                Thread.onSpinWait();
            } else {
                callerParked = true;
                if (done.get() < total) {
                    LockSupport.park(this);
                }
                callerParked = false;
            }
        }
        // Seal the job before its fields change: a worker still holding this generation's stamp must fail its CAS.
        claim.set(((long) gen << 32) | Integer.MAX_VALUE);
        this.task = null;
        Throwable t = failure;
        if (t != null) {
            failure = null;
            if (t instanceof RuntimeException re) {
                throw re;
            }
            if (t instanceof Error e) {
                throw e;
            }
            throw new RuntimeException(t);
        }
    }

    /** Claims and runs chunks of job {@code gen} until none are left. */
    private void work(int gen) {
        while (true) {
            long c = claim.get();
            if ((int) (c >>> 32) != gen) {
                return;
            }
            int i = (int) c;
            if (i >= chunks) {
                return;
            }
            if (!claim.compareAndSet(c, c + 1)) {
                continue;
            }
            // Read only after winning an unsealed chunk of this generation: until that chunk is done the caller
            // cannot finish the job, so these are this job's fields (a worker that woke a job late could otherwise
            // pair a stale claim with the next job's fields, or a null task).
            RangeTask t = task;
            int total = chunks;
            int size = n;
            if (failure == null) {
                try {
                    t.run((int) ((long) size * i / total), (int) ((long) size * (i + 1) / total));
                } catch (Throwable e) {
                    if (failure == null) {
                        failure = e;
                    }
                }
            }
            if (done.incrementAndGet() == total && callerParked) {
                LockSupport.unpark(caller);
            }
        }
    }

    /**
     * A float buffer of at least {@code minLength} owned by the calling thread of this pool, for kernels' per-worker
     * scratch. {@code slot} separates independent users (see the constants in the kernel classes). Only valid inside
     * a task run by this pool, or inside the caller's own {@link #parallelFor}; contents are undefined on entry.
     */
    float[] scratch(int slot, int minLength) {
        int index = Thread.currentThread() instanceof Worker w && w.pool() == this ? w.index : 0;
        float[][] mine = scratch[index];
        if (mine == null || mine.length <= slot) {
            float[][] grown = new float[slot + 1][];
            if (mine != null) {
                System.arraycopy(mine, 0, grown, 0, mine.length);
            }
            scratch[index] = mine = grown;
        }
        float[] buf = mine[slot];
        if (buf == null || buf.length < minLength) {
            mine[slot] = buf = new float[Math.max(minLength, buf == null ? 0 : buf.length + buf.length / 2)];
        }
        return buf;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        callLock.lock();
        try {
            closed = true;
            generation = generation + 1;
        } finally {
            callLock.unlock();
        }
        for (Worker w : workers) {
            LockSupport.unpark(w);
        }
        for (Worker w : workers) {
            try {
                w.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private final class Worker extends Thread {
        final int index;
        volatile boolean parked;

        Worker(int index) {
            super("loraflow-worker-" + index);
            this.index = index;
            setDaemon(true);
        }

        ThreadPool pool() {
            return ThreadPool.this;
        }

        @Override
        public void run() {
            int seen = 0; // the constructor's generation: a thread that starts late still sees every later job and close()
            while (true) {
                int gen;
                for (int spins = 0; (gen = generation) == seen && !closed; spins++) {
                    if (spins < SPIN) {
                        Thread.onSpinWait();
                    } else {
                        parked = true;
                        if (generation == seen && !closed) {
                            LockSupport.park(this);
                        }
                        parked = false;
                    }
                }
                if (closed) {
                    return;
                }
                seen = gen;
                work(gen);
            }
        }
    }
}
