package dev.loraflow.model.tools;

import dev.loraflow.kernels.ThreadPool;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;

/**
 * CPU time consumed by a fixed set of threads (the caller and a pool's workers), in nanoseconds. On a shared
 * machine with more runnable threads than cores, wall time includes waiting for a core; CPU time counts only the
 * time the threads ran (memory stalls included), so it measures the work a variant does even then.
 * Spin-waiting between parallel jobs is counted too.
 */
final class CpuClock {
    private final ThreadMXBean bean = ManagementFactory.getThreadMXBean();
    private final long[] ids;
    private final boolean supported;

    /** The calling thread and the pool's workers. */
    CpuClock(ThreadPool pool) {
        long[] workers = pool.workerThreadIds();
        this.ids = Arrays.copyOf(workers, workers.length + 1);
        ids[workers.length] = Thread.currentThread().threadId();
        this.supported = bean.isThreadCpuTimeSupported() && bean.isThreadCpuTimeEnabled();
    }

    boolean supported() {
        return supported;
    }

    /** Total CPU time of the threads so far (-1 when the JVM cannot tell). */
    long nanos() {
        if (!supported) {
            return -1;
        }
        long sum = 0;
        for (long id : ids) {
            long t = bean.getThreadCpuTime(id);
            if (t < 0) {
                return -1;
            }
            sum += t;
        }
        return sum;
    }
}
