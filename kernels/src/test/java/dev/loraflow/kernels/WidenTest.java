package dev.loraflow.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/** Every one of the 65536 16-bit patterns (zeros, subnormals, infinities, NaN payloads) widens exactly. */
class WidenTest {
    private static MemorySegment allPatterns() {
        MemorySegment m = Arena.ofAuto().allocate(2 * 65536 + 2);
        for (int i = 0; i < 65536; i++) {
            m.set(Widen.SHORT, 2 + 2L * i, (short) i); // odd start: unaligned vector loads
        }
        return m;
    }

    @Test
    void f16MatchesFloat16ToFloatBitForBit() {
        float[] out = new float[65536];
        Dtype.F16.widen(allPatterns(), 2, 65536, out);
        for (int i = 0; i < 65536; i++) {
            assertEquals(Float.floatToRawIntBits(Float.float16ToFloat((short) i)), Float.floatToRawIntBits(out[i]),
                    "half 0x" + Integer.toHexString(i));
        }
    }

    @Test
    void bf16IsTheTopHalfOfAFloat() {
        float[] out = new float[65536];
        Dtype.BF16.widen(allPatterns(), 2, 65536, out);
        for (int i = 0; i < 65536; i++) {
            assertEquals(i << 16, Float.floatToRawIntBits(out[i]), "bf16 0x" + Integer.toHexString(i));
        }
    }
}
