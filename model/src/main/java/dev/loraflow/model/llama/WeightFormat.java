package dev.loraflow.model.llama;

import dev.loraflow.core.LoraflowException;
import dev.loraflow.kernels.Dtype;
import java.util.Locale;

/** How a linear layer's weights are held for the kernels. */
public enum WeightFormat {
    F32, BF16, F16, Q8_0;

    /** Parses a --quantize value ("q8_0"); "none" or null keep the file's dtype. */
    public static WeightFormat quantizationOf(String value) {
        if (value == null || value.equalsIgnoreCase("none")) {
            return null;
        }
        if (value.toLowerCase(Locale.ROOT).equals("q8_0")) {
            return Q8_0;
        }
        throw new LoraflowException("--quantize '" + value + "' is not supported; use q8_0 (or none)");
    }

    /** The kernels' name for this storage type. */
    public Dtype dtype() {
        return switch (this) {
            case F32 -> Dtype.F32;
            case BF16 -> Dtype.BF16;
            case F16 -> Dtype.F16;
            case Q8_0 -> Dtype.Q8_0;
        };
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
