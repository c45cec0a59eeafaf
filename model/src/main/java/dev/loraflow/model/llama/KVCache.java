package dev.loraflow.model.llama;

/** Keys and values of every layer for a context of fixed length (sized to what is asked, not to the model's maximum). */
public final class KVCache {
    private final int capacity;
    private final float[][] keys;
    private final float[][] values;

    public KVCache(int layers, int capacity, int kvDim) {
        this.capacity = capacity;
        this.keys = new float[layers][(int) Math.multiplyExact((long) capacity, kvDim)];
        this.values = new float[layers][capacity * kvDim];
    }

    public int capacity() {
        return capacity;
    }

    public float[] keys(int layer) {
        return keys[layer];
    }

    public float[] values(int layer) {
        return values[layer];
    }

    public long bytes() {
        return 2L * keys.length * keys[0].length * Float.BYTES;
    }
}
