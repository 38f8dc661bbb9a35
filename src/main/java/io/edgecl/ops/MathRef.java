package io.edgecl.ops;

/** Double-precision helpers for host-side references and constants. */
public final class MathRef {
    private MathRef() {}

    /** erf to ~1e-15: Taylor series near 0, continued fraction (erfc) in the tails. */
    public static double erf(double x) {
        double ax = Math.abs(x);
        if (ax < 2.5) {
            double sum = x, term = x, x2 = x * x;
            for (int n = 1; n < 100; n++) {
                term *= -x2 / n;
                double add = term / (2 * n + 1);
                sum += add;
                if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
            }
            return 2 / Math.sqrt(Math.PI) * sum;
        }
        // erfc(x) = exp(-x^2)/sqrt(pi) * 1/(x + 1/2/(x + 1/(x + 3/2/(x + ...))))
        double cf = 0;
        for (int k = 60; k >= 1; k--) cf = (k / 2.0) / (ax + cf);
        double erfc = Math.exp(-ax * ax) / Math.sqrt(Math.PI) / (ax + cf);
        double r = 1 - erfc;
        return x < 0 ? -r : r;
    }
}
