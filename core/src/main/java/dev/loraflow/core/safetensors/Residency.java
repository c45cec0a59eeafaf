package dev.loraflow.core.safetensors;

/** How an opened safetensors file holds its tensors (llama.cpp's mmap / --no-mmap choice). */
public enum Residency {
    /**
     * Slices of a read-only mapping of the file: opening is instant, the memory is the page cache's (shared with
     * other processes, released under pressure), and pages are faulted in on first touch. Every tensor sits where
     * the header length puts it (HuggingFace files leave matrices 8 to 56 bytes off a cache line).
     */
    MAPPED,
    /**
     * Read into this process's own memory when opened ({@link dev.loraflow.core.HugePages}: 2 MiB pages where the
     * system gives them, which makes the first touch of that much fresh memory several times faster), the data
     * section starting on a 2 MiB boundary. Opening reads the whole file. In exchange decode, which streams every
     * weight once per token, ran 1.8–2.8× faster than from the file mapping on the benchmark machine (F32
     * tinyllama-1.1b); llama.cpp gained too without its mapping. The cause is mapping a page cache held in 4 KiB
     * pages, the usual state (a file whose page cache the kernel held in 2 MiB pages decoded fast mapped); the copy
     * decoded as fast in 4 KiB pages, or 56 bytes off a cache line.
     */
    IN_MEMORY
}
