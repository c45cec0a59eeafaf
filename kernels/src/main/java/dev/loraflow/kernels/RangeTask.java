package dev.loraflow.kernels;

/** A unit of parallel work over the half-open index range [start, end). */
@FunctionalInterface
public interface RangeTask {
    void run(int start, int end);
}
