package io.pickbox.fuzz;

/**
 * Counts how each try ended in the property's statistics (valid, or which refusal), so a run shows
 * whether its inputs get past a parser's first checks or all die at the same one.
 */
public final class Outcomes {

    private Outcomes() {}

    public static void count(Throwable refusal) {
        FuzzTries.count(refusal == null ? "valid" : kind(refusal));
    }

    /** Counts a try under a label of the property's own. */
    public static void count(String label) {
        FuzzTries.count(label);
    }

    /** The refusal's type and the first words of its message, quoted values and numbers left out, so that like refusals count together. */
    private static String kind(Throwable t) {
        String message = String.valueOf(t.getMessage()).replaceAll("\"[^\"]*+\"", "\"…\"").replaceAll("[0-9]+", "N");
        String[] words = message.split("\\s+", 6);
        String kind = t.getClass().getSimpleName() + ": " + String.join(" ", java.util.Arrays.copyOf(words, Math.min(words.length, 5)));
        return kind.length() <= 70 ? kind : kind.substring(0, 70) + "…";
    }
}
