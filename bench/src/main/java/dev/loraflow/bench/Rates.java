package dev.loraflow.bench;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Per-iteration totals that JMH turns into rates, printed as {@code METHOD:gigabytes} (GB/s of the memory a call
 * must read or write) and {@code METHOD:gflops} (GFLOP/s); a benchmark adds to the one that fits its kernel.
 */
@AuxCounters(AuxCounters.Type.OPERATIONS)
@State(Scope.Thread)
public class Rates {
    public double gigabytes;
    public double gflops;

    @Setup(Level.Iteration)
    public void reset() {
        gigabytes = 0;
        gflops = 0;
    }
}
