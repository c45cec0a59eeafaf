package dev.loraflow.core;

import java.util.Optional;

/** Element types of safetensors files. The engine computes with F32, BF16 and F16 weights. */
public enum DType {
    F64(8), F32(4), F16(2), BF16(2), I64(8), I32(4), I16(2), I8(1), U8(1), BOOL(1);

    private final int byteSize;

    DType(int byteSize) {
        this.byteSize = byteSize;
    }

    public int byteSize() {
        return byteSize;
    }

    /** True for the types weights may be stored in. */
    public boolean isWeightType() {
        return this == F32 || this == BF16 || this == F16;
    }

    /** The dtype named in a safetensors header, if known. */
    public static Optional<DType> fromSafetensorsName(String name) {
        for (DType t : values()) {
            if (t.name().equals(name)) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }
}
