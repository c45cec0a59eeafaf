package dev.loraflow.core.safetensors;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.loraflow.core.DType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Feeds thousands of mutated files to the reader: every outcome must be a successful open or a
 * {@link SafetensorsException}; no other exception, no hang, no JVM crash, no out-of-bounds read.
 */
class SafetensorsFuzzTest {
    @TempDir
    Path dir;

    @Test
    void mutatedFilesFailOnlyWithTheLoadersException() throws IOException {
        Path seedFile = dir.resolve("seed.safetensors");
        new SafetensorsWriter()
                .metadata("k", "v")
                .addF32("a", new long[] {2, 3}, new float[] {1, 2, 3, 4, 5, 6})
                .addFloats("b", DType.BF16, new long[] {4}, new float[] {1, 2, 3, 4})
                .write(seedFile);
        byte[] seed = Files.readAllBytes(seedFile);
        SplittableRandom random = new SplittableRandom(42);
        Path target = dir.resolve("fuzz.safetensors");
        int opened = 0;
        long deadline = System.nanoTime() + 60_000_000_000L;
        for (int i = 0; i < 4000; i++) {
            byte[] mutated = mutate(seed, random);
            Files.write(target, mutated);
            try (SafetensorsFile f = SafetensorsFile.open(target)) {
                for (var t : f.tensors().values()) {
                    if (t.dtype().isWeightType()) {
                        t.toFloatArray(); // reading every element must stay in bounds
                    }
                }
                opened++;
            } catch (SafetensorsException expected) {
                assertTrue(expected.getMessage().contains(target.toString()));
            } catch (Throwable other) {
                fail("mutation " + i + " threw " + other, other);
            }
            assertTrue(System.nanoTime() < deadline, "fuzzing took too long: a parse may be hanging");
        }
        assertTrue(opened > 0 && opened < 4000, "mutations should produce both valid and invalid files, opened " + opened);
    }

    private static byte[] mutate(byte[] seed, SplittableRandom r) {
        byte[] out = seed.clone();
        switch (r.nextInt(6)) {
            case 0 -> { // flip random bytes anywhere
                for (int k = 0, n = 1 + r.nextInt(4); k < n; k++) {
                    out[r.nextInt(out.length)] = (byte) r.nextInt(256);
                }
            }
            case 1 -> { // truncate
                out = java.util.Arrays.copyOf(out, r.nextInt(out.length));
            }
            case 2 -> { // random header length
                ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN).putLong(0, r.nextLong(-10, out.length * 2L));
            }
            case 3 -> { // replace a digit inside the header
                int headerEnd = (int) Math.min(out.length, 8 + ByteBuffer.wrap(seed).order(ByteOrder.LITTLE_ENDIAN).getLong());
                for (int tries = 0; tries < 20; tries++) {
                    int pos = 8 + r.nextInt(headerEnd - 8);
                    if (Character.isDigit(out[pos])) {
                        out[pos] = (byte) ('0' + r.nextInt(10));
                        break;
                    }
                }
            }
            case 4 -> { // splice a different header of plausible JSON
                String[] headers = {
                    "{\"a\":{\"dtype\":\"F32\",\"shape\":[9999999999,9999999999],\"data_offsets\":[0,24]}}",
                    "{\"a\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[0,4]}}",
                    "{\"a\":{\"dtype\":\"F32\",\"shape\":[1.5],\"data_offsets\":[0,4]}}",
                    "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,\"4\"]}}",
                    "{\"a\":null}",
                    "{\"__metadata__\":{\"x\":1}}",
                    "{\"a\":{\"dtype\":\"F32\",\"shape\":[[1]],\"data_offsets\":[0,4]}}",
                    "{}",
                    "\"\"",
                    "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[18446744073709551615,4]}}",
                };
                byte[] h = headers[r.nextInt(headers.length)].getBytes(StandardCharsets.UTF_8);
                ByteBuffer b = ByteBuffer.allocate(8 + h.length + 64).order(ByteOrder.LITTLE_ENDIAN);
                b.putLong(h.length).put(h);
                out = b.array();
            }
            default -> { // insert random bytes into the header region
                int pos = 8 + r.nextInt(Math.max(1, out.length - 8));
                out[Math.min(pos, out.length - 1)] = (byte) "{}[],:\"0-e.\\".charAt(r.nextInt(12));
            }
        }
        return out;
    }
}
