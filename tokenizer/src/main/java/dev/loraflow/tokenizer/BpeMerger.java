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

    /** Merges {@code symbols[0..count)} in place and appends the surviving ids to {@code out}. */
    void mergeInto(int[] symbols, int count, IntList out) {
        int[] next = new int[count];
        int[] prev = new int[count];
        LongMinHeap candidates = new LongMinHeap(count);
        for (int i = 0; i < count; i++) {
            next[i] = i + 1 < count ? i + 1 : -1;
            prev[i] = i - 1;
            if (i + 1 < count) {
                offer(candidates, symbols, i, i + 1);
            }
        }
        while (!candidates.isEmpty()) {
            long candidate = candidates.pop();
            int rank = (int) (candidate >>> 32);
            int left = (int) candidate;
            int right = symbols[left] == MERGED_AWAY ? -1 : next[left];
            // Entries go stale when a neighbour merged first; the pair's current rank tells.
            if (right < 0 || merges.rank(symbols[left], symbols[right]) != rank) {
                continue;
            }
            symbols[left] = merges.result(rank);
            symbols[right] = MERGED_AWAY;
            next[left] = next[right];
            if (next[left] >= 0) {
                prev[next[left]] = left;
                offer(candidates, symbols, left, next[left]);
            }
            if (prev[left] >= 0) {
                offer(candidates, symbols, prev[left], left);
            }
        }
        for (int i = count > 0 ? 0 : -1; i >= 0; i = next[i]) {
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
