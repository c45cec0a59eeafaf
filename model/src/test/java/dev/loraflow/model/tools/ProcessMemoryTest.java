package dev.loraflow.model.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcessMemoryTest {
    @Test
    void readsKibibyteFieldsAsBytes(@TempDir Path tmp) throws Exception {
        Path status = tmp.resolve("status");
        Files.writeString(status, "Name:\tjava\nVmHWM:\t  204800 kB\nVmRSS:\t   1024 kB\n");
        assertEquals(OptionalLong.of(204800L * 1024), ProcessMemory.field(status, "VmHWM"));
        assertEquals(OptionalLong.of(1024L * 1024), ProcessMemory.field(status, "VmRSS"));
        assertEquals(OptionalLong.empty(), ProcessMemory.field(status, "VmSwap"));
        assertEquals(OptionalLong.empty(), ProcessMemory.field(tmp.resolve("missing"), "VmRSS"));
    }

    @Test
    void peakIsAtLeastCurrentOnLinux() {
        var rss = ProcessMemory.residentBytes();
        var peak = ProcessMemory.peakResidentBytes();
        if (Files.isReadable(Path.of("/proc/self/status"))) {
            assertTrue(rss.getAsLong() > 0);
            assertTrue(peak.getAsLong() >= rss.getAsLong());
        }
    }
}
