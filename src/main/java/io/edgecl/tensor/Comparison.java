package io.edgecl.tensor;

import java.util.Locale;

/**
 * How far {@code got} is from {@code ref}, element by element: the project's one comparison,
 * used by the tests and by {@code selftest} alike. An element that is not finite in
 * {@code got} where {@code ref} is finite (or the reverse) is a mismatch of its own, counted
 * apart from the largest finite difference: a NaN must never hide behind, or erase, an error
 * elsewhere in the output (uninitialised outputs are NaN-filled precisely to show up here).
 *
 * @param length       elements compared (the shorter length when they differ)
 * @param lengthsDiffer whether {@code ref} and {@code got} differ in length (always a failure)
 * @param maxAbsDiff   largest |ref − got| over the elements where both are finite
 * @param at           index of that difference, -1 when there is none
 * @param maxAbsRef    largest finite |ref|
 * @param nonFinite    elements where exactly one side is finite, or both are non-finite and unequal
 * @param firstNonFinite index of the first such element, -1 when there is none
 */
public record Comparison(
        int length,
        boolean lengthsDiffer,
        double maxAbsDiff,
        int at,
        double maxAbsRef,
        int nonFinite,
        int firstNonFinite) {

    public static Comparison of(float[] ref, float[] got) {
        int n = Math.min(ref.length, got.length);
        double maxRef = 0, maxDiff = 0;
        int at = -1, bad = 0, firstBad = -1;
        for (int i = 0; i < n; i++) {
            float r = ref[i], g = got[i];
            boolean rf = Float.isFinite(r), gf = Float.isFinite(g);
            if (rf && gf) {
                maxRef = Math.max(maxRef, Math.abs(r));
                double d = Math.abs((double) r - g);
                if (at < 0 || d > maxDiff) {
                    maxDiff = d;
                    at = i;
                }
            } else if (Float.isNaN(r) || r != g) {
                // one side not finite, or NaN on both (a reference never holds NaN on purpose);
                // equal infinities are the one non-finite match
                if (bad++ == 0) firstBad = i;
            }
        }
        return new Comparison(n, ref.length != got.length, maxDiff, at, maxRef, bad, firstBad);
    }

    /** max|Δ| / max(1, max|ref|): the project's relative error; infinite when any element is not finite. */
    public double relError() {
        if (nonFinite > 0 || lengthsDiffer) return Double.POSITIVE_INFINITY;
        return maxAbsDiff / Math.max(1.0, maxAbsRef);
    }

    /** The project's tolerance rule: same length, every element finite where the reference is, max|Δ| ≤ tol · max(1, max|ref|). */
    public boolean within(double tol) {
        return !lengthsDiffer && nonFinite == 0 && maxAbsDiff <= tol * Math.max(1.0, maxAbsRef);
    }

    /** One line saying what differs, for an assertion message or a selftest detail. */
    public String describe(float[] ref, float[] got, double tol) {
        StringBuilder b = new StringBuilder();
        if (lengthsDiffer) b.append(String.format(Locale.ROOT, "length %d, expected %d; ", got.length, ref.length));
        if (nonFinite > 0) {
            b.append(String.format(
                    Locale.ROOT,
                    "%d element(s) not finite, first at %d (ref %s, got %s); ",
                    nonFinite,
                    firstNonFinite,
                    ref[firstNonFinite],
                    got[firstNonFinite]));
        }
        if (at >= 0) {
            b.append(String.format(
                    Locale.ROOT,
                    "max|d| = %.3g at %d (ref %.6g, got %.6g), tol %.3g",
                    maxAbsDiff,
                    at,
                    ref[at],
                    got[at],
                    tol * Math.max(1.0, maxAbsRef)));
        } else {
            b.append("no finite element to compare");
        }
        return b.toString();
    }
}
