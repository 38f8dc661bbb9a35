package io.edgecl.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgecl.TestSupport;
import io.edgecl.cl.ClBuffer;
import io.edgecl.cl.ClContext;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Random;

/**
 * One op test's device resources: buffers and launches made through it are closed together,
 * and closing checks that the context holds exactly as many buffers as before (no leaks).
 */
final class OpScope implements AutoCloseable {
    final ClContext ctx;
    final Random rnd;
    private final int before;
    private final Deque<AutoCloseable> owned = new ArrayDeque<>();

    OpScope(String binding, long seed) {
        ctx = TestSupport.context(binding);
        // The context allocates its placeholder lazily and keeps it; take it now so it is not counted as a leak.
        ctx.placeholder();
        before = ctx.liveBuffers();
        rnd = new Random(seed);
    }

    /**
     * True on the Oclgrind simulator (tools/oclgrind-check.sh), where every work-item is
     * interpreted: the larger sweeps then use smaller shapes that still cross tile edges.
     */
    static boolean simulated(String binding) {
        return TestSupport.context(binding).info().name().toLowerCase(java.util.Locale.ROOT).contains("oclgrind");
    }

    float[] random(int n) {
        return TestSupport.random(rnd, n, 1);
    }

    ClBuffer upload(float[] data, String label) {
        return own(ctx.upload(data, label));
    }

    /** A device buffer of {@code n} floats holding a NaN pattern, so unwritten outputs show. */
    ClBuffer output(int n, String label) {
        float[] init = new float[n];
        java.util.Arrays.fill(init, Float.NaN);
        return upload(init, label);
    }

    <T extends AutoCloseable> T own(T r) {
        owned.push(r);
        return r;
    }

    List<Launch> own(List<Launch> ls) {
        for (Launch l : ls) own(l);
        return ls;
    }

    /** Runs the launches in order and waits for them. */
    void run(Launch... ls) {
        for (Launch l : ls) l.run();
        ctx.finish();
    }

    float[] read(ClBuffer b, int n) {
        return ctx.read(b, n);
    }

    @Override
    public void close() throws Exception {
        while (!owned.isEmpty()) owned.pop().close();
        assertEquals(before, ctx.liveBuffers(), "buffers leaked");
    }

    /** Cost model sanity: FLOPs at least {@code minFlops} (and within 16x of it), bytes at least {@code minBytes}. */
    static void assertCost(Launch l, long minFlops, long minBytes) {
        if (minFlops > 0) {
            assertTrue(l.flops() >= minFlops && l.flops() <= 16 * minFlops,
                    l.op() + ": flops " + l.flops() + " vs at least " + minFlops);
        } else {
            assertTrue(l.flops() >= 0, l.op() + ": flops " + l.flops());
        }
        assertTrue(l.bytes() >= minBytes, l.op() + ": bytes " + l.bytes() + " vs at least " + minBytes);
        assertTrue(!l.op().isEmpty() && !l.kernelName().isEmpty(), "launch is labelled");
    }

    /**
     * A forced variant really launched: the launch runs {@code kernel}, built with each of
     * {@code defines} ("NAME=VALUE"). A vector width the device cannot take (its preferred float
     * width is narrower: the family would fall back to narrower vectors) skips the case visibly
     * (a failure in strict mode) instead of passing on another path; any other difference fails.
     */
    void expectKernel(Launch l, String kernel, String... defines) {
        String program = l.program();
        if (!l.kernelName().equals(kernel)) {
            org.junit.jupiter.api.Assertions.fail("expected kernel " + kernel + " but " + l.kernelName()
                    + " launched (" + program + ")");
        }
        int pref = ctx.info().preferredFloatWidth();
        for (String d : defines) {
            if (java.util.regex.Pattern.compile("[{ ]" + java.util.regex.Pattern.quote(d) + "[,}]").matcher(program).find()) {
                continue;
            }
            String[] kv = d.split("=", 2);
            if (kv[0].endsWith("_VW") && Integer.parseInt(kv[1]) > pref) {
                io.edgecl.TestSupport.skip(kernel + " with " + d + ": this device's preferred float vector is " + pref
                        + " wide, so that path does not run here (" + program + ")");
            }
            org.junit.jupiter.api.Assertions.fail(kernel + " was built without " + d + ": " + program);
        }
    }
}
