package dev.loraflow.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TensorTest {
    /** The bulk conversion gives getFloat's value at every element, from an unaligned start, for each float dtype. */
    @Test
    void copyFloatsEqualsGetFloat() {
        int n = 4097;
        SplittableRandom r = new SplittableRandom(3);
        for (DType dtype : new DType[] {DType.F32, DType.BF16, DType.F16}) {
            MemorySegment data = Arena.ofAuto().allocate((long) n * dtype.byteSize());
            for (long b = 0; b < data.byteSize(); b++) {
                data.set(ValueLayout.JAVA_BYTE, b, (byte) r.nextInt()); // every bit pattern, NaNs and subnormals included
            }
            Tensor t = new Tensor("w", dtype, new long[] {n}, data);
            float[] out = new float[n + 2];
            t.copyFloats(5, n - 5, out, 2);
            for (int i = 5; i < n; i++) {
                assertEquals(Float.floatToRawIntBits(t.getFloat(i)), Float.floatToRawIntBits(out[2 + i - 5]), dtype + " at " + i);
            }
            float[] all = t.toFloatArray();
            for (int i = 0; i < n; i++) {
                assertEquals(Float.floatToRawIntBits(t.getFloat(i)), Float.floatToRawIntBits(all[i]), dtype + " toFloatArray at " + i);
            }
        }
    }

    @Test
    void copyFloatsRefusesNonFloatTensors() {
        Tensor ints = new Tensor("ids", DType.I32, new long[] {4}, Arena.ofAuto().allocate(16));
        LoraflowException e = assertThrows(LoraflowException.class, () -> ints.copyFloats(0, 4, new float[4], 0));
        assertEquals("tensor 'ids' has dtype I32, which cannot be read as floating point", e.getMessage());
    }
}
