package io.edgecl;

import io.edgecl.cl.ClContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/** Shared helpers for tests: one OpenCL context per binding, fixture paths, comparisons. */
public final class TestSupport {
    private static final Map<String, ClContext> CONTEXTS = new ConcurrentHashMap<>();

    private TestSupport() {}

    /** A context on the default device for the binding, kept open for the whole test run. */
    public static ClContext context(String binding) {
        return CONTEXTS.computeIfAbsent(binding, b -> ClContext.open(b, null));
    }

    public static ClContext context() {
        return context("jocl");
    }

    /** ../shared (or -Dedgecl.shared). */
    public static Path shared() {
        return Paths.get(System.getProperty("edgecl.shared", "../shared"));
    }

    /**
     * A golden case folder: tests/resources/golden/NAME when copied into the repository, else
     * ../shared/golden/NAME; absent → the test is skipped with a message on stderr.
     */
    public static Path golden(String name) {
        Path local = Paths.get("tests/resources/golden", name);
        if (Files.isDirectory(local)) return local;
        Path p = shared().resolve("golden").resolve(name);
        requirePath(p);
        return p;
    }

    public static void requirePath(Path p) {
        if (!Files.exists(p)) {
            String msg = "SKIPPED: fixture " + p.toAbsolutePath() + " is absent (CI provides ../shared)";
            System.err.println(msg);
            Assumptions.assumeTrue(false, msg);
        }
    }

    public static float[] random(Random r, int n, float scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (r.nextGaussian() * scale);
        return a;
    }

    /** The project's tolerance: max|Δ| ≤ 1e-4 · max(1, max|ref|). */
    public static void assertClose(float[] ref, float[] got, String what) {
        assertClose(ref, got, 1e-4, what);
    }

    public static void assertClose(float[] ref, float[] got, double rel, String what) {
        Assertions.assertEquals(ref.length, got.length, what + ": length");
        double maxRef = 0, maxDiff = 0;
        int at = -1;
        for (int i = 0; i < ref.length; i++) {
            maxRef = Math.max(maxRef, Math.abs(ref[i]));
            double d = Math.abs(ref[i] - got[i]);
            if (!(d <= maxDiff)) {
                maxDiff = d;
                at = i;
            }
        }
        double tol = rel * Math.max(1.0, maxRef);
        if (Boolean.getBoolean("edgecl.test.verbose")) {
            System.err.printf("%s: max|d| = %.3g (max|ref| %.3g)%n", what, maxDiff, maxRef);
        }
        if (!(maxDiff <= tol)) {
            Assertions.fail(String.format("%s: max|d| = %.3g at %d (ref %.6g, got %.6g) > tol %.3g", what, maxDiff, at,
                    ref[at], got[at], tol));
        }
    }
}
