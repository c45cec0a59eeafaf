package dev.loraflow.core.safetensors;

/** How an opened safetensors file holds its tensors (llama.cpp's mmap / --no-mmap choice). */
public enum Residency {
    /**
     * Slices of a read-only mapping of the file: opening is instant, the memory is the page cache's (shared with
     * other processes, released under pressure), and pages are faulted in on first touch. The kernel maps a file's
     * page cache in whatever page size it was cached in, usually 4 KiB, and every tensor sits where the header
     * length puts it (HuggingFace files leave matrices 8 to 56 bytes off a cache line).
     */
    MAPPED,
    /**
     * Read into this process's memory when opened, the data section starting on a 2 MiB boundary, so the kernel can
     * back it with transparent huge pages and the matrices start on cache lines. Opening reads the whole file; in
     * exchange decode, which streams every weight once per token, reads them faster (far fewer TLB misses).
     */
    IN_MEMORY
}
