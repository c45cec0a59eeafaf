package dev.loraflow.cli;

/** Parses token id lists written as {@code 1,2,3} or {@code 1 2 3}. */
final class IdList {
    private IdList() {}

    static int[] parse(String text, String option) {
        String trimmed = text.trim();
        if (trimmed.isEmpty()) {
            throw new IllegalArgumentException(option + " needs at least one token id");
        }
        String[] parts = trimmed.split("[,\\s]+");
        int[] ids = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                ids[i] = Integer.parseInt(parts[i]);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(option + ": '" + parts[i] + "' is not a token id (expected e.g. 1,2,3)");
            }
            if (ids[i] < 0) {
                throw new IllegalArgumentException(option + ": token id " + ids[i] + " is negative");
            }
        }
        return ids;
    }
}
