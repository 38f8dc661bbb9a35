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
        return TestSupport.context(binding)
                .info()
                .name()
                .toLowerCase(java.util.Locale.ROOT)
                .contains("oclgrind");
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
            assertTrue(
                    l.flops() >= minFlops && l.flops() <= 16 * minFlops,
                    l.op() + ": flops " + l.flops() + " vs at least " + minFlops);
        } else {
            assertTrue(l.flops() >= 0, l.op() + ": flops " + l.flops());
        }
        assertTrue(l.bytes() >= minBytes, l.op() + ": bytes " + l.bytes() + " vs at least " + minBytes);
        assertTrue(!l.op().isEmpty() && !l.kernelName().isEmpty(), "launch is labelled");
    }

    /**
     * The vector lanes a kernel family gives a case that asks for {@code wanted}: the kernels use
     * at most the device's preferred float width, rounded to a power of two and at least 4 (16 on
     * AVX-512 CPUs, 4 on the Oclgrind simulator, which prefers scalars). Tests ask for the lanes
     * they mean and assert, through this, the lanes that really run; a narrower device runs and
     * checks the narrower path and says so, instead of passing the wide case on another path.
     */
    int lanes(int wanted) {
        int cap = Integer.highestOneBit(Math.max(4, ctx.info().preferredFloatWidth()));
        if (cap < wanted) {
            System.err.println(
                    "note: " + ctx.info().name() + " prefers " + ctx.info().preferredFloatWidth()
                            + "-wide float vectors: the " + wanted + "-lane case runs its " + cap + "-lane path");
        }
        return Math.min(wanted, cap);
    }

    /**
     * A forced variant really launched: the launch runs {@code kernel}, built with each of
     * {@code defines} ("NAME=VALUE"; vector widths from {@link #lanes}); any difference fails.
     */
    void expectKernel(Launch l, String kernel, String... defines) {
        String program = l.program();
        if (!l.kernelName().equals(kernel)) {
            org.junit.jupiter.api.Assertions.fail(
                    "expected kernel " + kernel + " but " + l.kernelName() + " launched (" + program + ")");
        }
        for (String d : defines) {
            if (!java.util.regex.Pattern.compile("[{ ]" + java.util.regex.Pattern.quote(d) + "[,}]")
                    .matcher(program)
                    .find()) {
                org.junit.jupiter.api.Assertions.fail(kernel + " was built without " + d + ": " + program);
            }
        }
    }
}
