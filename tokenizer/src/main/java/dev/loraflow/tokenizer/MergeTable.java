package dev.loraflow.tokenizer;

/**
 * BPE merges: for a pair of ids, its rank (lower merges first) and the id it merges into.
 * Open addressing over packed {@code left << 32 | right} keys, so lookups do not allocate.
 */
final class MergeTable {
    private static final long EMPTY = -1L;
    private final long[] keys;
    private final int[] ranks;
    private final int mask;
    private final int[] resultByRank;

    /** {@code lefts[r]}, {@code rights[r]} merge into {@code results[r]} at rank r. */
    MergeTable(int[] lefts, int[] rights, int[] results) {
        int capacity = Integer.highestOneBit(Math.max(4, lefts.length * 2)) * 2;
        keys = new long[capacity];
        ranks = new int[capacity];
        mask = capacity - 1;
        java.util.Arrays.fill(keys, EMPTY);
        resultByRank = results.clone();
        for (int rank = 0; rank < lefts.length; rank++) {
            long key = pack(lefts[rank], rights[rank]);
            int slot = find(key);
            if (keys[slot] == EMPTY) { // the first occurrence of a duplicated merge wins, as in HF
                keys[slot] = key;
                ranks[slot] = rank;
            }
        }
    }

    /** The rank of merging {@code left} then {@code right}, or -1 when they do not merge. */
    int rank(int left, int right) {
        long key = pack(left, right);
        int slot = find(key);
        return keys[slot] == EMPTY ? -1 : ranks[slot];
    }

    int result(int rank) {
        return resultByRank[rank];
    }

    private int find(long key) {
        int slot = (int) mix(key) & mask;
        while (keys[slot] != EMPTY && keys[slot] != key) {
            slot = (slot + 1) & mask;
        }
        return slot;
    }

    private static long pack(int left, int right) {
        return ((long) left << 32) | (right & 0xFFFFFFFFL);
    }

    private static long mix(long key) {
        key *= 0x9E3779B97F4A7C15L;
        return key ^ (key >>> 29);
    }
}
