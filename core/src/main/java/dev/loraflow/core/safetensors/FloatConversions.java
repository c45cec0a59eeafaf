package dev.loraflow.core.safetensors;

/** Float to 16-bit storage conversions used when writing weights. */
public final class FloatConversions {
    private FloatConversions() {}

    /** Float to BF16 with round-to-nearest-even (as PyTorch does); NaN stays NaN. */
    public static short floatToBf16(float v) {
        int bits = Float.floatToRawIntBits(v);
        if (Float.isNaN(v)) {
            return (short) ((bits >>> 16) | 0x40);
        }
        int rounding = 0x7FFF + ((bits >>> 16) & 1);
        return (short) ((bits + rounding) >>> 16);
    }

    public static float bf16ToFloat(short v) {
        return Float.intBitsToFloat((v & 0xFFFF) << 16);
    }
}
