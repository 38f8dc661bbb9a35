package io.edgecl;

import java.util.function.Consumer;

/**
 * Where the library's warnings go: things a user should know that do not stop the work (a
 * damaged cache entry rebuilt, a binding swapped for the other). Standard error by default; a
 * program that embeds EdgeCL may send them to its own log.
 */
public final class Warnings {
    private static volatile Consumer<String> sink = Warnings::toStderr;

    private Warnings() {}

    public static void warn(String message) {
        sink.accept(message);
    }

    /** Replaces the sink; null restores standard error. */
    public static void setSink(Consumer<String> s) {
        sink = s == null ? Warnings::toStderr : s;
    }

    private static void toStderr(String m) {
        System.err.println("edgecl: warning: " + m);
    }
}
