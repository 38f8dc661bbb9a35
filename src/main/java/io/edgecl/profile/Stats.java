package io.edgecl.profile;

import java.util.Arrays;

/** Order statistics of timings (nanoseconds). */
public record Stats(double minMs, double medianMs, double p90Ms, double meanMs, int n) {
    public static Stats of(long[] ns) {
        if (ns.length == 0) return new Stats(0, 0, 0, 0, 0);
        long[] s = ns.clone();
        Arrays.sort(s);
        double sum = 0;
        for (long v : s) sum += v;
        return new Stats(
                s[0] / 1e6,
                s[s.length / 2] / 1e6,
                s[Math.min(s.length - 1, (int) Math.ceil(0.9 * s.length) - 1)] / 1e6,
                sum / s.length / 1e6,
                s.length);
    }
}
