package io.edgecl;

import java.util.Locale;

/** Byte counts for people: 1.5 MiB, 312.0 KiB. */
public final class Bytes {
    private Bytes() {}

    public static String human(long bytes) {
        if (bytes >= 1L << 30) return String.format(Locale.ROOT, "%.1f GiB", bytes / (double) (1L << 30));
        if (bytes >= 1L << 20) return String.format(Locale.ROOT, "%.1f MiB", bytes / (double) (1L << 20));
        if (bytes >= 1L << 10) return String.format(Locale.ROOT, "%.1f KiB", bytes / (double) (1L << 10));
        return bytes + " B";
    }
}
