package io.edgecl.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgecl.TestSupport;
import io.edgecl.cl.ClContext;
import io.edgecl.models.DemoModel;
import io.edgecl.models.VisionModel;
import io.edgecl.models.Weights;
import io.edgecl.tensor.HostTensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The session's contract: safe to share between threads, an IllegalStateException (never a
 * native abort) after close, and no growth of device buffers, device bytes or heap over many
 * forwards and many open/close cycles. The demo model (32x32) keeps this quick.
 */
class SessionContractTest {
    private static final VisionModel MODEL = DemoModel.load();
    private static final Weights WEIGHTS = DemoModel.weights();

    private static Session open(ClContext ctx) {
        return Session.open(MODEL, WEIGHTS, SessionOptions.defaults().withDevice(Device.wrap(ctx)));
    }

    private static HostTensor input(Random r, int batch) {
        return new HostTensor(new int[] {batch, 3, 32, 32}, TestSupport.random(r, batch * 3 * 32 * 32, 1f));
    }

    @Test
    void fourThreadsGetExactlyTheSequentialResults() throws Exception {
        ClContext ctx = TestSupport.context();
        Random r = new Random(3);
        int distinct = 24;
        List<HostTensor> inputs = new ArrayList<>();
        for (int i = 0; i < distinct; i++) inputs.add(input(r, i % 2 == 0 ? 1 : 3));
        try (Session s = open(ctx)) {
            List<float[]> expected = new ArrayList<>();
            for (HostTensor in : inputs) expected.add(s.run(in).get("logits").data());
            ExecutorService pool = Executors.newFixedThreadPool(4);
            AtomicInteger wrong = new AtomicInteger();
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int seed = t;
                fs.add(pool.submit(() -> {
                    Random pick = new Random(seed);
                    for (int i = 0; i < 500; i++) {
                        int k = pick.nextInt(distinct);
                        float[] got = s.run(inputs.get(k)).get("logits").data();
                        if (!java.util.Arrays.equals(expected.get(k), got)) wrong.incrementAndGet();
                    }
                }));
            }
            for (Future<?> f : fs) f.get();
            pool.shutdown();
            assertEquals(0, wrong.get(), "results that differ from the sequential run");
            // Throughput of one shared session (figures for README; nothing is asserted on time).
            for (int threads : new int[] {1, 2, 4}) {
                ExecutorService p = Executors.newFixedThreadPool(threads);
                int per = 240 / threads;
                long t0 = System.nanoTime();
                List<Future<?>> jobs = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    jobs.add(p.submit(() -> {
                        for (int i = 0; i < per; i++) s.run(inputs.get(0));
                    }));
                }
                for (Future<?> f : jobs) f.get();
                p.shutdown();
                double ips = threads * per / ((System.nanoTime() - t0) / 1e9);
                System.err.printf(
                        Locale.ROOT,
                        "session threads=%d: %.0f images/s (demo model, batch 1, %s)%n",
                        threads,
                        ips,
                        ctx.info().name());
            }
        }
    }

    /**
     * A kernel forced in the options reaches every op of its family and changes nothing else; the
     * outputs stay those of the default kernels; an unknown family or value is refused up front.
     */
    @Test
    void aForcedKernelReachesThePlanAndTheOutputsHold() {
        ClContext ctx = io.edgecl.TestSupport.context();
        HostTensor in = input(new Random(5), 1);
        SessionOptions base = SessionOptions.defaults().withDevice(Device.wrap(ctx));
        try (Session plain = Session.open(MODEL, WEIGHTS, base);
                Session forced = Session.open(
                        MODEL, WEIGHTS, base.withKernel("layernorm", "row").withKernel("dwconv-ln", "group"))) {
            List<String> a = plain.launchSignature(1, 32, 32), b = forced.launchSignature(1, 32, 32);
            assertTrue(
                    a.stream().noneMatch(l -> l.startsWith("dwconv_ln ") || l.startsWith("layernorm ")), a.toString());
            assertTrue(b.stream().anyMatch(l -> l.startsWith("dwconv_ln ")), b.toString());
            assertEquals(a.size(), b.size(), "one launch per op either way");
            float[] x = plain.run(in).logits().data(),
                    y = forced.run(in).logits().data();
            io.edgecl.TestSupport.assertClose(x, y, "forced kernels compute the same logits");
        }
        var e = assertThrows(io.edgecl.EdgeClException.class, () -> base.withKernel("gemm", "panel:3x5"));
        assertTrue(e.getMessage().startsWith("kernel choice gemm=panel:3x5: use tiled, rows"), e.getMessage());
        e = assertThrows(io.edgecl.EdgeClException.class, () -> base.withKernel("softmax", "fast"));
        assertTrue(e.getMessage().contains("the families are gemm, conv"), e.getMessage());
        assertEquals(
                java.util.Map.of("layernorm", "row"),
                base.withKernel("layernorm", "ROW").kernels());
    }

    /** run takes the outputs wanted, by name, and refuses a name the model does not output. */
    @Test
    void runReturnsTheOutputsAskedFor() {
        try (Session s = open(io.edgecl.TestSupport.context())) {
            HostTensor in = input(new Random(6), 1);
            List<String> names = s.outputNames();
            assertTrue(names.size() > 1 && names.get(0).equals("logits"), names.toString());
            Result all = s.run(in, java.util.Set.copyOf(names));
            assertEquals(names, List.copyOf(all.asMap().keySet()), "in the model's order");
            String last = names.get(names.size() - 1);
            assertEquals(
                    List.of(last),
                    List.copyOf(s.run(in, java.util.Set.of(last)).asMap().keySet()));
            var e = assertThrows(io.edgecl.EdgeClException.class, () -> s.run(in, java.util.Set.of("logits", "attn")));
            assertTrue(e.getMessage().startsWith("no output named [attn]: "), e.getMessage());
        }
    }

    @Test
    void useAfterCloseIsAnIllegalStateNotANativeAbort() {
        ClContext shared = TestSupport.context();
        HostTensor in = input(new Random(1), 1);
        Session s = open(shared);
        s.run(in);
        s.close();
        s.close(); // idempotent
        assertThrows(IllegalStateException.class, () -> s.run(in));
        assertThrows(IllegalStateException.class, () -> s.prepare(1, 32, 32));

        ClContext ctx = new ClContext(shared.device());
        Session t = open(ctx);
        t.run(in);
        ctx.close(); // closes the session over it first
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> t.run(in));
        assertTrue(e.getMessage().contains("device was closed"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> ctx.alloc(64, "late"));
        assertThrows(IllegalStateException.class, () -> ctx.program(java.util.Map.of(), "elementwise.cl"));
        assertThrows(IllegalStateException.class, () -> open(ctx), "no new session on a closed context");
        t.close();
    }

    @Test
    void soakKeepsBuffersBytesAndHeapFlat() {
        ClContext ctx = new ClContext(TestSupport.context().device());
        try {
            Random r = new Random(9);
            HostTensor a = input(r, 1), b = input(r, 3);
            ctx.placeholder(); // the context's own buffer, created on first use
            int buffers0 = ctx.liveBuffers();
            long bytes0 = ctx.liveBytes();
            try (Session s = open(ctx)) {
                for (int i = 0; i < 50; i++) s.run(i % 2 == 0 ? a : b); // both plans built, caches warm
                int buffers = ctx.liveBuffers();
                long bytes = ctx.liveBytes();
                long heap = usedHeapAfterGc();
                for (int i = 0; i < 2000; i++) s.run(i % 2 == 0 ? a : b);
                assertEquals(buffers, ctx.liveBuffers(), "live cl_mem objects");
                assertEquals(bytes, ctx.liveBytes(), "device bytes");
                long grown = usedHeapAfterGc() - heap;
                System.err.printf(
                        Locale.ROOT,
                        "soak: 2000 forwards, %d cl_mem, %d device bytes, heap %+d KiB%n",
                        ctx.liveBuffers(),
                        ctx.liveBytes(),
                        grown / 1024);
                assertTrue(grown < 16L << 20, "heap grew by " + grown + " bytes over 2000 forwards");
            }
            assertEquals(buffers0, ctx.liveBuffers(), "closing the session frees its buffers");
            for (int i = 0; i < 200; i++) {
                try (Session s = open(ctx)) {
                    s.run(a);
                }
            }
            assertEquals(buffers0, ctx.liveBuffers(), "200 open/close cycles leak no buffer");
            assertEquals(bytes0, ctx.liveBytes(), "nor device bytes");
        } finally {
            ctx.close();
        }
        assertFalse(ctx.isOpen());
    }

    /**
     * The weights are on the device once whatever the number of shapes: a second plan adds its
     * activations only (a model folds and re-lays out its weights into new host tensors for each
     * shape; keyed by identity, each shape uploaded its own copy, 565 KB more here).
     */
    @Test
    void aSecondShapeAddsItsActivationsOnly() {
        ClContext ctx = new ClContext(TestSupport.context().device());
        try (Session s = open(ctx)) {
            Random r = new Random(3);
            s.run(input(r, 1));
            long bytes = ctx.liveBytes(), act = s.planCache().activationBytes();
            s.run(input(r, 2));
            assertEquals(
                    s.planCache().activationBytes() - act, ctx.liveBytes() - bytes, "device bytes of the second plan");
        } finally {
            ctx.close();
        }
    }

    /**
     * A caller cycling through more input shapes than the session keeps plans for: the plans and
     * their bytes stay within the bounds, device bytes and heap stay flat, and a released shape
     * that comes back is built again and gives the same logits.
     */
    @Test
    void plansStayWithinTheirBoundsAcrossManyShapes() {
        ClContext ctx = new ClContext(TestSupport.context().device());
        try {
            Random r = new Random(11);
            int shapes = 12;
            List<HostTensor> inputs = new ArrayList<>();
            for (int b = 1; b <= shapes; b++) inputs.add(input(r, b));
            long largest;
            try (Session probe = open(ctx)) {
                largest = probe.prepare(shapes, 32, 32).activationBytes();
            }
            long byteBound = largest * 5 / 2;
            SessionOptions byCount =
                    SessionOptions.defaults().withDevice(Device.wrap(ctx)).withPlanCache(3, 0);
            SessionOptions byBytes =
                    SessionOptions.defaults().withDevice(Device.wrap(ctx)).withPlanCache(100, byteBound);
            for (SessionOptions o : List.of(byCount, byBytes)) {
                List<float[]> first = new ArrayList<>();
                long bytesAfterPass = -1, heap = -1;
                try (Session s = Session.open(MODEL, WEIGHTS, o)) {
                    for (int pass = 0; pass < 6; pass++) {
                        for (int i = 0; i < shapes; i++) {
                            float[] logits = s.run(inputs.get(i)).get("logits").data();
                            if (pass == 0) first.add(logits);
                            else assertArrayEquals(first.get(i), logits, "batch " + (i + 1) + ", pass " + pass);
                            Session.PlanCacheStats c = s.planCache();
                            assertTrue(c.plans() >= 1 && c.plans() <= o.maxPlans(), c.toString());
                            if (o == byBytes) assertTrue(c.activationBytes() <= byteBound, c + " > " + byteBound);
                        }
                        if (pass == 1) {
                            bytesAfterPass = ctx.liveBytes();
                            heap = usedHeapAfterGc();
                        } else if (pass > 1) {
                            assertEquals(bytesAfterPass, ctx.liveBytes(), "device bytes after pass " + pass);
                        }
                    }
                    long grown = usedHeapAfterGc() - heap;
                    Session.PlanCacheStats c = s.planCache();
                    System.err.printf(
                            Locale.ROOT,
                            "plan cache: %d forwards over %d shapes, %s, heap %+d KiB%n",
                            6 * shapes,
                            shapes,
                            c,
                            grown / 1024);
                    assertTrue(c.built() > shapes, "released shapes were built again: " + c);
                    assertTrue(grown < 16L << 20, "heap grew by " + grown + " bytes");
                }
            }
        } finally {
            ctx.close();
        }
    }

    private static long usedHeapAfterGc() {
        Runtime rt = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) System.gc();
        return rt.totalMemory() - rt.freeMemory();
    }

    @Test
    void sequentialResultsAreDeterministic() {
        try (Session s = open(TestSupport.context())) {
            HostTensor in = input(new Random(5), 3);
            assertArrayEquals(
                    s.run(in).get("logits").data(), s.run(in).get("logits").data());
        }
    }
}
