package dev.loraflow.model.lora;

/**
 * One adapter's low-rank update of one projection: {@code ΔW = scale · B·A}, A [rank, in], B [out, rank],
 * both row-major F32.
 */
public record LoraWeights(int rank, int in, int out, float scale, float[] a, float[] b) {
    public LoraWeights {
        if (a.length != rank * in || b.length != out * rank) {
            throw new IllegalArgumentException("LoRA A must be [" + rank + ", " + in + "] and B [" + out + ", " + rank + "]");
        }
    }
}
