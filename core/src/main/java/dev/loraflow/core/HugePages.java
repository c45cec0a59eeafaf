package dev.loraflow.core;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Optional;

/**
 * Large blocks of process memory (a model read into memory, its quantised copy) that Linux backs with transparent
 * huge pages: an anonymous mapping advised with {@code madvise(MADV_HUGEPAGE)} through FFM downcalls into the C
 * library. Why: the first touch of fresh memory is one page fault per page, and 2 MiB pages make 512 times fewer
 * (reading the 4.4 GB F32 tinyllama-1.1b into memory: 5.5–12.9 s against 27.7–29.8 s in 4 KiB pages on the
 * benchmark machine; decode ran as fast from either). {@link Arena#allocate}'s malloc'd memory gets huge pages only
 * where the system enables them for every mapping (often it is "madvise" only). Elsewhere (not Linux on x86-64 or arm64, whose flag
 * values these are; no C library symbols; or the calls refused) it is {@code Arena.allocate}'s memory instead.
 */
public final class HugePages {
    /** The x86-64 and arm64 transparent huge page size, which every block starts on. */
    public static final long SIZE = 2L << 20;
    private static final int PROT_READ_WRITE = 0x1 | 0x2;
    private static final int MAP_PRIVATE_ANONYMOUS = 0x02 | 0x20; // Linux values on x86-64 and arm64
    private static final int MADV_HUGEPAGE = 14;
    /**
     * Pages are touched here, one write per 4 KiB, before anything is read into them. Why: letting the kernel fault
     * them in inside {@code read()} was slower (a probe reading the 4.4 GB F32 tinyllama-1.1b file into such a
     * mapping: 3.0 and 10.4 s for the read alone, against 0.3–0.7 s for these writes plus 0.4–0.5 s for the read).
     */
    private static final long TOUCH_STRIDE = 4096;
    private static final MethodHandle MMAP;
    private static final MethodHandle MADVISE;
    private static final MethodHandle MUNMAP;

    static {
        MethodHandle mmap = null, madvise = null, munmap = null;
        String arch = System.getProperty("os.arch", "");
        if (System.getProperty("os.name", "").startsWith("Linux") && (arch.equals("amd64") || arch.equals("aarch64"))) {
            try {
                Linker linker = Linker.nativeLinker();
                SymbolLookup libc = linker.defaultLookup();
                mmap = linker.downcallHandle(libc.find("mmap").orElseThrow(), FunctionDescriptor.of(ValueLayout.ADDRESS,
                        ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
                        ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG));
                madvise = linker.downcallHandle(libc.find("madvise").orElseThrow(), FunctionDescriptor.of(
                        ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
                munmap = linker.downcallHandle(libc.find("munmap").orElseThrow(), FunctionDescriptor.of(
                        ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
            } catch (RuntimeException | LinkageError e) { // no symbols, or native access not enabled
                mmap = madvise = munmap = null;
            }
        }
        MMAP = mmap;
        MADVISE = madvise;
        MUNMAP = munmap;
    }

    private HugePages() {}

    /** {@code bytes} of zeroed memory on a {@link #SIZE} boundary, in huge pages where the system gives them, freed when {@code arena} closes. */
    public static MemorySegment allocate(long bytes, Arena arena) {
        return mapHuge(bytes, arena).orElseGet(() -> arena.allocate(bytes, SIZE));
    }

    /** As {@link #allocate}, from an anonymous mapping advised for huge pages; empty if this platform cannot map one. */
    private static Optional<MemorySegment> mapHuge(long bytes, Arena arena) {
        if (MMAP == null || bytes == 0) {
            return Optional.empty();
        }
        long length = bytes + SIZE; // room to start on a huge-page boundary
        try {
            MemorySegment mapping = (MemorySegment) MMAP.invokeExact(MemorySegment.NULL, length, PROT_READ_WRITE,
                    MAP_PRIVATE_ANONYMOUS, -1, 0L);
            if (mapping.address() == -1L) {
                return Optional.empty();
            }
            MemorySegment whole = mapping.reinterpret(length, arena, HugePages::unmap);
            long skip = -mapping.address() & (SIZE - 1);
            MemorySegment aligned = whole.asSlice(skip, bytes);
            int ignored = (int) MADVISE.invokeExact(aligned, bytes, MADV_HUGEPAGE); // advice only: 4 KiB pages if refused
            for (long at = 0; at < bytes; at += TOUCH_STRIDE) {
                aligned.set(ValueLayout.JAVA_BYTE, at, (byte) 0);
            }
            return Optional.of(aligned);
        } catch (Throwable e) {
            throw new IllegalStateException("mapping " + bytes + " bytes of memory for weights failed: " + e, e);
        }
    }

    private static void unmap(MemorySegment mapping) {
        try { // a failure (EINVAL) could only come from a wrong address or length, which allocate computed itself
            int ignored = (int) MUNMAP.invokeExact(mapping, mapping.byteSize());
        } catch (Throwable e) {
            throw new IllegalStateException("munmap failed: " + e, e);
        }
    }
}
