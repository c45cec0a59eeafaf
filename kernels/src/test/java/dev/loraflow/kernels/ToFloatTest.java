package dev.loraflow.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

class ToFloatTest {
    /** Each bulk widening equals the scalar conversion, at awkward lengths and unaligned offsets. */
    @Test
    void matchesScalarConversion() {
        for (int n : TestData.SIZES) {
            float[] values = TestData.uniform(n, n);
            for (Dtype d : new Dtype[] {Dtype.F32, Dtype.BF16, Dtype.F16}) {
                MemorySegment s = TestData.weights(d, values, 5);
                float[] out = new float[n + 2];
                switch (d) {
                    case F32 -> ToFloat.f32(s, 5, n, out, 2);
                    case BF16 -> ToFloat.bf16(s, 5, n, out, 2);
                    default -> ToFloat.f16(s, 5, n, out, 2);
                }
                for (int i = 0; i < n; i++) {
                    float expected = switch (d) {
                        case F32 -> Widen.f32(s, 5, i);
                        case BF16 -> Widen.bf16(s, 5, i);
                        default -> Widen.f16(s, 5, i);
                    };
                    assertEquals(expected, out[2 + i], d + " n=" + n + " at " + i);
                }
            }
        }
    }
}
