package io.edgecl.models;

/**
 * How large a model may be before anything is allocated for it. A spec is user input: dims of
 * 32768 or depths of 200000 must be refused in milliseconds with a message naming the field,
 * not discovered as an OutOfMemoryError minutes later. The parameter budget is checked as each
 * parameter is requested, before its memory is taken; activations and device memory are checked
 * by the session before a plan allocates.
 */
public final class ModelBudget {
    /** {@code -Dedgecl.max.params=N} overrides the default (a twelfth of the JVM heap, in floats). */
    public static final String MAX_PARAMS_PROPERTY = "edgecl.max.params";

    private static final ThreadLocal<Long> OVERRIDE = new ThreadLocal<>();

    private ModelBudget() {}

    /** The most parameters a model may have here: the weights, their re-laid-out copy and the upload must fit the heap. */
    public static long maxParams() {
        Long o = OVERRIDE.get();
        if (o != null) return o;
        String p = System.getProperty(MAX_PARAMS_PROPERTY);
        if (p != null && !p.isBlank()) {
            try {
                return Long.parseLong(p.trim());
            } catch (NumberFormatException e) {
                throw new ModelSpecException("-D" + MAX_PARAMS_PROPERTY + " must be an integer, got '" + p + "'");
            }
        }
        return Math.max(50_000_000L, Runtime.getRuntime().maxMemory() / 12);
    }

    /** Runs {@code r} with a different parameter budget on this thread (tests, fuzzing). */
    public static void withMaxParams(long max, Runnable r) {
        Long saved = OVERRIDE.get();
        OVERRIDE.set(max);
        try {
            r.run();
        } finally {
            if (saved == null) OVERRIDE.remove();
            else OVERRIDE.set(saved);
        }
    }

    /** Throws when {@code total} parameters exceed the budget; {@code key} and {@code hint} name the culprit. */
    static void checkParams(long total, String key, String hint, int[] shape) {
        long max = maxParams();
        if (total > max) {
            throw new ModelSpecException(String.format(
                    java.util.Locale.ROOT,
                    "the configuration needs more than %,d parameters (%s %s%s); the limit here is %,d "
                            + "(a twelfth of the Java heap; raise it with -Xmx or -D%s)",
                    max,
                    key,
                    java.util.Arrays.toString(shape),
                    hint != null ? ", set by " + hint : "",
                    max,
                    MAX_PARAMS_PROPERTY));
        }
    }
}
