package dev.loraflow.tokenizer;

/**
 * Applies BPE merges to a word's symbols: always the lowest-ranked pair, leftmost on ties, like
 * HuggingFace's BPE. Symbols form a linked list and candidate pairs a heap, so each merge costs
 * O(log n) instead of a rescan of all pairs.
 */
final class BpeMerger {
    private static final int MERGED_AWAY = -1;
    private final MergeTable merges;

    BpeMerger(MergeTable merges) {
        this.merges = merges;
    }

    /** Merges {@code symbols[from..to)} in place and appends the surviving ids to {@code out}. */
    void mergeInto(int[] symbols, int from, int to, IntList out) {
        // Indices are absolute positions in symbols; next/prev are offset by from.
        int count = to - from;
        int[] next = new int[count];
        int[] prev = new int[count];
        LongMinHeap candidates = new LongMinHeap(count);
        for (int i = from; i < to; i++) {
            next[i - from] = i + 1 < to ? i + 1 : -1;
            prev[i - from] = i - 1 >= from ? i - 1 : -1;
            if (i + 1 < to) {
                offer(candidates, symbols, i, i + 1);
            }
        }
        while (!candidates.isEmpty()) {
            long candidate = candidates.pop();
            int rank = (int) (candidate >>> 32);
            int left = (int) candidate;
            int right = symbols[left] == MERGED_AWAY ? -1 : next[left - from];
            // Entries go stale when a neighbour merged first; the pair's current rank tells.
            if (right < 0 || merges.rank(symbols[left], symbols[right]) != rank) {
                continue;
            }
            symbols[left] = merges.result(rank);
            symbols[right] = MERGED_AWAY;
            int after = next[right - from];
            next[left - from] = after;
            if (after >= 0) {
                prev[after - from] = left;
                offer(candidates, symbols, left, after);
            }
            int before = prev[left - from];
            if (before >= 0) {
                offer(candidates, symbols, before, left);
            }
        }
        for (int i = count > 0 ? from : -1; i >= 0; i = next[i - from]) {
            out.add(symbols[i]);
        }
    }

    private void offer(LongMinHeap candidates, int[] symbols, int left, int right) {
        int rank = merges.rank(symbols[left], symbols[right]);
        if (rank >= 0) {
            candidates.push(((long) rank << 32) | left);
        }
    }
}
