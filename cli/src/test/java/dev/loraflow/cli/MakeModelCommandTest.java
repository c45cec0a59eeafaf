package dev.loraflow.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loraflow.model.llama.LlamaModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MakeModelCommandTest {
    @TempDir
    Path tmp;

    private CliTest.Result make(String out, String... extra) {
        String[] base = {"make-model", "--shape", "tiny", "--out", tmp.resolve(out).toString(), "--threads", "2"};
        String[] args = Arrays.copyOf(base, base.length + extra.length);
        System.arraycopy(extra, 0, args, base.length, extra.length);
        return CliTest.run(args);
    }

    private byte[] weights(String out) throws Exception {
        return Files.readAllBytes(tmp.resolve(out).resolve("model.safetensors"));
    }

    @Test
    void writesALoadableModel() {
        CliTest.Result r = make("m", "--seed", "4");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("156,480 parameters"), r.out());
        try (LlamaModel model = LlamaModel.load(tmp.resolve("m"))) {
            assertEquals(64, model.config().hiddenSize());
            assertEquals("BF16", model.embedTokens().dtype().name(), "bf16 is the default");
        }
    }

    @Test
    void sameSeedSameFilesOtherSeedOtherWeights() throws Exception {
        assertEquals(0, make("a", "--seed", "9").exit());
        assertEquals(0, make("b", "--seed", "9").exit());
        assertEquals(0, make("c", "--seed", "10").exit());
        assertArrayEquals(weights("a"), weights("b"));
        assertFalse(Arrays.equals(weights("a"), weights("c")));
    }

    @Test
    void dtypeFlagChoosesTheStorageType() {
        assertEquals(0, make("m", "--dtype", "f16").exit());
        try (LlamaModel model = LlamaModel.load(tmp.resolve("m"))) {
            assertEquals("F16", model.embedTokens().dtype().name());
            assertEquals("float16", model.config().torchDtype());
        }
    }

    @Test
    void unknownShapeIsOneLineNamingTheFlag() {
        CliTest.Result r = CliTest.run("make-model", "--shape", "llama-70b", "--out", tmp.resolve("x").toString());
        assertOneLineError(r, "--shape");
        assertTrue(r.err().contains("tinyllama-1.1b"), "lists the known shapes: " + r.err());
        assertFalse(Files.exists(tmp.resolve("x")), "nothing written");
    }

    @Test
    void badDtypeIsOneLineNamingTheFlag() {
        assertOneLineError(make("x", "--dtype", "q4"), "--dtype");
        assertFalse(Files.exists(tmp.resolve("x")), "nothing written");
    }

    static void assertOneLineError(CliTest.Result r, String flag) {
        assertEquals(1, r.exit(), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().startsWith("error: ") && r.err().contains(flag), r.err());
    }
}
