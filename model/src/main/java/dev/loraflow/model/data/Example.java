package dev.loraflow.model.data;

/**
 * A tokenised example. {@code lossMask[i]} says whether {@code ids[i]} is a target: its loss is
 * {@code -log p(ids[i] | ids[0..i))}, read from the logits after position i - 1, so {@code lossMask[0]}
 * is always false.
 *
 * @param promptLength how many leading ids are prompt (the ids a generation starts from)
 * @param truncated    whether the ids were cut to the dataset's maximum length
 */
public record Example(DataRecord source, int[] ids, boolean[] lossMask, int promptLength, boolean truncated) {
    public Example {
        if (ids.length != lossMask.length) {
            throw new IllegalArgumentException("ids and loss mask differ in length");
        }
        if (ids.length > 0 && lossMask[0]) {
            throw new IllegalArgumentException("the first token has no context, so it cannot be a target");
        }
    }

    /** How many ids count in the loss. */
    public int targetCount() {
        int n = 0;
        for (boolean m : lossMask) {
            n += m ? 1 : 0;
        }
        return n;
    }

    /** The prompt ids, where generation starts. */
    public int[] promptIds() {
        return java.util.Arrays.copyOf(ids, promptLength);
    }
}
