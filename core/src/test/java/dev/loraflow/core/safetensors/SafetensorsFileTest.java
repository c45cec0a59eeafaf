package dev.loraflow.core.safetensors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loraflow.core.DType;
import dev.loraflow.core.HugePages;
import dev.loraflow.core.Tensor;
import dev.loraflow.testing.SharedData;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsFileTest {
    @TempDir
    Path dir;

    /** A file built byte by byte, independent of the writer. */
    private Path rawFile(String headerJson, byte[] data) throws IOException {
        byte[] header = headerJson.getBytes(StandardCharsets.UTF_8);
        ByteBuffer buf = ByteBuffer.allocate(8 + header.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        buf.putLong(header.length).put(header).put(data);
        Path p = dir.resolve("t.safetensors");
        Files.write(p, buf.array());
        return p;
    }

    private static byte[] floats(float... v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) {
            b.putFloat(f);
        }
        return b.array();
    }

    @Test
    void readsHandBuiltFileWithAllFloatTypes() throws IOException {
        // a: F32 [2,2]; b: BF16 [2] = 1.0, -2.0 (0x3F80, 0xC000); c: F16 [1] = 0.5 (0x3800)
        byte[] data = new byte[16 + 4 + 2];
        System.arraycopy(floats(1f, 2f, 3f, 4f), 0, data, 0, 16);
        ByteBuffer.wrap(data, 16, 6).order(ByteOrder.LITTLE_ENDIAN).putShort((short) 0x3F80).putShort((short) 0xC000)
                .putShort((short) 0x3800);
        String header = "{\"__metadata__\":{\"format\":\"pt\"},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]},"
                + "\"b\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[16,20]},"
                + "\"c\":{\"dtype\":\"F16\",\"shape\":[1],\"data_offsets\":[20,22]}}";
        try (SafetensorsFile f = SafetensorsFile.open(rawFile(header, data))) {
            assertEquals("pt", f.metadata().get("format"));
            assertArrayEquals(new float[] {1, 2, 3, 4}, f.require("a").toFloatArray());
            assertArrayEquals(new float[] {1f, -2f}, f.require("b").toFloatArray());
            assertArrayEquals(new float[] {0.5f}, f.require("c").toFloatArray());
            assertArrayEquals(new long[] {2, 2}, f.require("a").shape());
        }
    }

    @Test
    void writerOutputReadsBackAndIsAligned() {
        Path p = dir.resolve("w.safetensors");
        new SafetensorsWriter()
                .metadata("format", "loraflow-gate")
                .addF32("x", new long[] {3}, new float[] {1.5f, -2f, 7f})
                .addFloats("y", DType.BF16, new long[] {2}, new float[] {1f, 0.15625f})
                .addFloats("z", DType.F16, new long[] {1, 1}, new float[] {-0.25f})
                .write(p);
        try (SafetensorsFile f = SafetensorsFile.open(p)) {
            assertEquals("loraflow-gate", f.metadata().get("format"));
            assertArrayEquals(new float[] {1.5f, -2f, 7f}, f.require("x").toFloatArray());
            assertArrayEquals(new float[] {1f, 0.15625f}, f.require("y").toFloatArray());
            assertArrayEquals(new float[] {-0.25f}, f.require("z").toFloatArray());
        }
        long headerLength = ByteBuffer.wrap(readBytes(p), 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, (8 + headerLength) % 64, "data section on a 64-byte boundary");
    }

    @Test
    void bf16RoundsToNearestEven() {
        // 1 + 2^-8 lies exactly between two BF16 values (1 and 1 + 2^-7): ties go to the even mantissa (1.0).
        assertEquals((short) 0x3F80, FloatConversions.floatToBf16(1f + 1f / 256));
        // 1 + 3*2^-8 is a tie between 1+2^-7 (odd) and 1+2^-6 (even): rounds up.
        assertEquals((short) 0x3F82, FloatConversions.floatToBf16(1f + 3f / 256));
    }

    private static byte[] readBytes(Path p) {
        try {
            return Files.readAllBytes(p);
        } catch (IOException e) {
            throw new RuntimeException(e);
        }
    }

    @Test
    void readsRealModelZeroCopy() {
        Path model = SharedData.require("models/stories260K/model.safetensors");
        try (SafetensorsFile f = SafetensorsFile.open(model)) {
            Tensor embed = f.require("model.embed_tokens.weight");
            assertEquals(DType.F32, embed.dtype());
            assertArrayEquals(new long[] {512, 64}, embed.shape());
            assertTrue(embed.data().isMapped(), "weights must be memory-mapped, not copied");
        }
    }

    /**
     * Read into memory, every tensor holds the file's bytes, and the data section starts on a huge-page boundary:
     * a tensor lies as far from it as its data offset says, whatever the header's length.
     */
    @Test
    void inMemoryCopyHoldsTheFileBytesFromAHugePageBoundary() {
        Path model = SharedData.require("models/stories260K/model.safetensors");
        try (SafetensorsFile mapped = SafetensorsFile.open(model);
             SafetensorsFile copy = SafetensorsFile.open(model, Residency.IN_MEMORY)) {
            assertEquals(mapped.tensors().keySet(), copy.tensors().keySet());
            long base = -1;
            for (Tensor t : mapped.tensors().values()) {
                Tensor c = copy.require(t.name());
                assertTrue(!c.data().isMapped(), t.name() + " must be a copy in process memory");
                assertEquals(-1L, t.data().mismatch(c.data()), t.name() + " differs from the file");
                assertArrayEquals(t.shape(), c.shape());
                long offset = t.data().address() - mapped.tensors().values().iterator().next().data().address();
                if (base < 0) {
                    base = c.data().address() - offset;
                    assertEquals(0, base % HugePages.SIZE, "data section on a 2 MiB boundary");
                }
                assertEquals(base + offset, c.data().address(), t.name() + " keeps its place in the data section");
            }
        }
    }

    /** Closing an in-memory file unmaps its copy: no mapping of the process still covers a tensor's address. */
    @Test
    void closingAnInMemoryFileReleasesItsCopy() throws IOException {
        Path maps = Path.of("/proc/self/maps");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isReadable(maps), "needs Linux's /proc/self/maps");
        Path model = SharedData.require("models/stories260K/model.safetensors");
        long address;
        try (SafetensorsFile copy = SafetensorsFile.open(model, Residency.IN_MEMORY)) {
            address = copy.require("model.embed_tokens.weight").data().address();
            assertTrue(mapped(maps, address), "the copy is mapped while open");
        }
        assertTrue(!mapped(maps, address), "the copy is unmapped once closed");
    }

    private static boolean mapped(Path maps, long address) throws IOException {
        for (String line : Files.readAllLines(maps)) {
            String[] range = line.substring(0, line.indexOf(' ')).split("-");
            if (Long.compareUnsigned(Long.parseUnsignedLong(range[0], 16), address) <= 0
                    && Long.compareUnsigned(address, Long.parseUnsignedLong(range[1], 16)) < 0) {
                return true;
            }
        }
        return false;
    }

    /** The progress of a read into memory adds up to the data section, and a mapping reads nothing. */
    @Test
    void inMemoryReadReportsEveryByte() {
        Path model = SharedData.require("models/stories260K/model.safetensors");
        long[] reported = {0, 0};
        try (SafetensorsFile copy = SafetensorsFile.open(model, Residency.IN_MEMORY, bytes -> reported[0] += bytes);
             SafetensorsFile mapped = SafetensorsFile.open(model, Residency.MAPPED, bytes -> reported[1] += bytes)) {
            long data = copy.tensors().values().stream().mapToLong(t -> t.data().byteSize()).sum();
            assertTrue(reported[0] >= data && reported[0] < data + 64, reported[0] + " bytes reported for " + data);
            assertEquals(0, reported[1]);
        }
    }

    @Test
    void inMemoryOpenChecksTheHeaderToo() throws IOException {
        Path p = rawFile("{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", floats(1f, 2f));
        SafetensorsException e = assertThrows(SafetensorsException.class,
                () -> SafetensorsFile.open(p, Residency.IN_MEMORY).close());
        assertTrue(e.getMessage().contains(p.toString()) && e.getMessage().contains("truncated"), e.getMessage());
    }

    private void assertRejected(String header, byte[] data, String... fragments) throws IOException {
        Path p = rawFile(header, data);
        SafetensorsException e = assertThrows(SafetensorsException.class, () -> SafetensorsFile.open(p).close());
        assertTrue(e.getMessage().contains(p.toString()), "message must name the file: " + e.getMessage());
        for (String fragment : fragments) {
            assertTrue(e.getMessage().contains(fragment), "message must mention '" + fragment + "': " + e.getMessage());
        }
    }

    @Test
    void rejectsBadHeaders() throws IOException {
        byte[] sixteen = new byte[16];
        assertRejected("{not json", sixteen, "not valid JSON");
        assertRejected("[1,2]", sixteen, "JSON object");
        assertRejected("{\"a\":{\"dtype\":\"Q9\",\"shape\":[4],\"data_offsets\":[0,16]}}", sixteen, "'a'", "unknown dtype");
        assertRejected("{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,32]}}", sixteen, "'a'", "outside");
        assertRejected("{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[8,4]}}", sixteen, "'a'");
        assertRejected("{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,16]}}", sixteen, "'a'", "need 12");
        assertRejected("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", sixteen, "overlap");
        assertRejected("{\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", sixteen, "'a'");
        assertRejected("{\"a\":{\"dtype\":\"F32\",\"shape\":[4611686018427387904,4],\"data_offsets\":[0,16]}}", sixteen, "overflow");
        assertRejected("{\"a\":{\"dtype\":\"F32\",\"shape\":[4]}}", sixteen, "data_offsets");
        assertRejected("{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", sixteen, "JSON");
    }

    @Test
    void rejectsTruncatedFilesAndHeaderLengthPastTheEnd() throws IOException {
        Path tiny = dir.resolve("tiny.safetensors");
        Files.write(tiny, new byte[] {1, 2, 3});
        SafetensorsException e = assertThrows(SafetensorsException.class, () -> SafetensorsFile.open(tiny));
        assertTrue(e.getMessage().contains("too short"));

        ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(1_000_000L);
        Path past = dir.resolve("past.safetensors");
        Files.write(past, b.array());
        e = assertThrows(SafetensorsException.class, () -> SafetensorsFile.open(past));
        assertTrue(e.getMessage().contains("header length 1000000"), e.getMessage());

        // A good file cut short: the data section no longer holds the tensor.
        Path good = dir.resolve("good.safetensors");
        new SafetensorsWriter().addF32("w", new long[] {64}, new float[64]).write(good);
        byte[] all = Files.readAllBytes(good);
        Path cut = dir.resolve("cut.safetensors");
        Files.write(cut, Arrays.copyOf(all, all.length - 10));
        e = assertThrows(SafetensorsException.class, () -> SafetensorsFile.open(cut));
        assertTrue(e.getMessage().contains("'w'") && e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void missingTensorNamesTheTensorAndTheFile() {
        Path p = dir.resolve("m.safetensors");
        new SafetensorsWriter().addF32("present", new long[] {1}, new float[] {1}).write(p);
        try (SafetensorsFile f = SafetensorsFile.open(p)) {
            SafetensorsException e = assertThrows(SafetensorsException.class, () -> f.require("absent"));
            assertTrue(e.getMessage().contains("'absent'") && e.getMessage().contains(p.toString()));
        }
    }

    @Test
    void shardedIndexJoinsShards() throws IOException {
        new SafetensorsWriter().addF32("a", new long[] {2}, new float[] {1, 2}).write(dir.resolve("s1.safetensors"));
        new SafetensorsWriter().addF32("b", new long[] {1}, new float[] {3}).write(dir.resolve("s2.safetensors"));
        Files.writeString(dir.resolve("model.safetensors.index.json"),
                "{\"metadata\":{},\"weight_map\":{\"a\":\"s1.safetensors\",\"b\":\"s2.safetensors\"}}");
        try (WeightSource w = Weights.openModelDir(dir)) {
            assertEquals(List.of("a", "b"), List.copyOf(w.names()));
            assertArrayEquals(new float[] {3}, w.require("b").toFloatArray());
        }
        Files.writeString(dir.resolve("model.safetensors.index.json"),
                "{\"weight_map\":{\"a\":\"s1.safetensors\",\"c\":\"s3.safetensors\"}}");
        SafetensorsException e = assertThrows(SafetensorsException.class, () -> Weights.openModelDir(dir));
        assertTrue(e.getMessage().contains("s3.safetensors"), e.getMessage());
    }
}
