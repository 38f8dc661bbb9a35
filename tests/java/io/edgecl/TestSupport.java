package io.edgecl;

import io.edgecl.cl.ClContext;
import io.edgecl.tensor.HostTensor;
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
        if (!Files.exists(p)) skip("fixture " + p.toAbsolutePath() + " is absent (CI provides ../shared)");
    }

    /**
     * Strict mode ({@code EDGECL_STRICT=1}, which CI sets, or {@code -Dedgecl.strict=true}): a
     * check that would be skipped fails instead, so a missing fixture or tool cannot pass as green.
     */
    public static boolean strict() {
        return "1".equals(System.getenv("EDGECL_STRICT")) || Boolean.getBoolean("edgecl.strict");
    }

    /** Skips the running test, saying why on stderr; in {@link #strict()} mode it fails instead. */
    public static void skip(String why) {
        if (strict()) Assertions.fail("not skipped in strict mode (EDGECL_STRICT=1): " + why);
        System.err.println("SKIPPED: " + why);
        Assumptions.abort(why);
    }

    /**
     * Skips for a documented limit of the device the tests run on (the Oclgrind simulator's, see
     * tools/oclgrind-check.sh), which strict mode accepts: nothing a machine could install lifts it.
     */
    public static void skipDeviceLimit(String why) {
        System.err.println("SKIPPED (device limit): " + why);
        Assumptions.abort("device limit: " + why);
    }

    /** Open file descriptors of this process (Linux's /proc/self/fd), or -1 where it cannot be read. */
    public static long openFiles() {
        try (java.util.stream.Stream<Path> fds = java.nio.file.Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        } catch (java.io.IOException | RuntimeException e) {
            return -1;
        }
    }

    public static float[] random(Random r, int n, float scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (r.nextGaussian() * scale);
        return a;
    }

    /**
     * Every output {@code expected} holds (all but "input") was produced, with its shape, within
     * {@code rel}; an output without a reference fails too. A model that drops a feature output
     * or gains an unchecked one does not pass on its logits alone.
     */
    public static void assertOutputsClose(
            Map<String, HostTensor> expected, Map<String, HostTensor> got, double rel, String what) {
        java.util.Set<String> want = new java.util.TreeSet<>(expected.keySet());
        want.remove("input");
        java.util.Set<String> missing = new java.util.TreeSet<>(want), extra = new java.util.TreeSet<>(got.keySet());
        missing.removeAll(got.keySet());
        extra.removeAll(want);
        if (!missing.isEmpty()) Assertions.fail(what + ": no output " + missing + " (produced " + got.keySet() + ")");
        if (!extra.isEmpty()) Assertions.fail(what + ": outputs " + extra + " have no reference to check them against");
        if (want.isEmpty()) Assertions.fail(what + ": nothing to compare");
        for (String k : want) {
            Assertions.assertEquals(expected.get(k).shapeString(), got.get(k).shapeString(), what + " " + k + " shape");
            assertClose(expected.get(k).data(), got.get(k).data(), rel, what + " " + k);
        }
    }

    public static void assertOutputsClose(Map<String, HostTensor> expected, Map<String, HostTensor> got, String what) {
        assertOutputsClose(expected, got, 1e-4, what);
    }

    /** Float data (a kernel's input) as the doubles the host reference ({@code graph.HostOps}) takes; null stays null. */
    public static double[] doubles(float[] a) {
        if (a == null) return null;
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) d[i] = a[i];
        return d;
    }

    /** The host reference's doubles rounded to floats, as a kernel stores them. */
    public static float[] floats(double[] a) {
        float[] f = new float[a.length];
        for (int i = 0; i < a.length; i++) f[i] = (float) a[i];
        return f;
    }

    /** The project's tolerance: max|Δ| ≤ 1e-4 · max(1, max|ref|). */
    public static void assertClose(float[] ref, float[] got, String what) {
        assertClose(ref, got, 1e-4, what);
    }

    public static void assertClose(float[] ref, float[] got, double rel, String what) {
        io.edgecl.tensor.Comparison c = io.edgecl.tensor.Comparison.of(ref, got);
        if (Boolean.getBoolean("edgecl.test.verbose")) {
            System.err.printf(
                    "%s: max|d| = %.3g (max|ref| %.3g)%s%n",
                    what, c.maxAbsDiff(), c.maxAbsRef(), c.nonFinite() > 0 ? ", " + c.nonFinite() + " not finite" : "");
        }
        if (!c.within(rel)) Assertions.fail(what + ": " + c.describe(ref, got, rel));
    }
}
