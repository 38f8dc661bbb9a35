package io.edgecl.graph;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgecl.TestSupport;
import io.edgecl.api.Device;
import io.edgecl.api.Session;
import io.edgecl.api.SessionOptions;
import io.edgecl.cl.BufferOverrunException;
import io.edgecl.cl.ClBuffer;
import io.edgecl.cl.ClContext;
import io.edgecl.models.DemoModel;
import io.edgecl.models.Models;
import io.edgecl.models.VisionModel;
import io.edgecl.models.Weights;
import io.edgecl.ops.Elementwise;
import io.edgecl.ops.Launch;
import io.edgecl.tensor.HostTensor;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Guard bytes after every buffer ({@code -Dedgecl.debug.guard=true}): a kernel that writes past
 * its buffer is named after the launch that did it. With them, odd batch sizes (whose launch
 * grids are rounded up to whole work-groups) run every family without writing out of bounds;
 * at batch 9 and above, the input layout kernel once wrote past its output and corrupted the
 * driver's heap (a glibc abort when the session closed).
 */
class BufferGuardTest {
    /** A context of its own with guards on; the shared test context (made first, outside) stays without. */
    private static ClContext guardedContext() {
        var device = TestSupport.context().device();
        return guarded(() -> new ClContext(device));
    }

    private static <T> T guarded(Supplier<T> body) {
        String before = System.getProperty(ClContext.GUARD_PROPERTY);
        System.setProperty(ClContext.GUARD_PROPERTY, "true");
        try {
            return body.get();
        } finally {
            if (before == null) System.clearProperty(ClContext.GUARD_PROPERTY);
            else System.setProperty(ClContext.GUARD_PROPERTY, before);
        }
    }

    @Test
    void aKernelWritingPastItsBufferIsNamed() {
        ClContext ctx = guardedContext();
        try (ctx) {
            assertTrue(ctx.guarded());
            assertTrue(!TestSupport.context().guarded(), "the shared test context has no guards");
            ClBuffer in = ctx.alloc(4L * 2 * 3 * 64, "nchw");
            ClBuffer out = ctx.alloc(4L * 3 * 64, "one-image");
            // written, not left as allocated: memory the driver hands out again may still hold
            // another buffer's guard pattern, and copying that past the end would change nothing
            float[] values = new float[2 * 3 * 64];
            for (int i = 0; i < values.length; i++) values[i] = 1 + i;
            ctx.write(in, values);
            // two images laid out into a buffer that holds one
            Launch l = Elementwise.toNhwc(ctx, in, out, 2, 3, 64);
            l.run();
            ctx.finish();
            BufferOverrunException e = assertThrows(BufferOverrunException.class, () -> ctx.checkGuards("to_nhwc"));
            assertTrue(e.getMessage().contains("to_nhwc") && e.getMessage().contains("one-image"), e.getMessage());
            l.close();
            in.close();
            out.close();
        }
    }

    @Test
    void oddBatchesWriteOnlyInsideTheirBuffers() {
        ClContext ctx = guardedContext();
        try (ctx) {
            record Case(VisionModel model, Weights weights, int size) {}
            for (Case c : List.of(
                    new Case(DemoModel.load(), DemoModel.weights(), 32),
                    new Case(Models.byName("mobilenetv3_small_050"), Weights.synthetic(0L), 64),
                    new Case(Models.byName("edgevit_xxs"), Weights.synthetic(0L), 64))) {
                try (Session s = Session.open(
                        c.model(),
                        c.weights(),
                        SessionOptions.defaults().withDevice(Device.wrap(ctx)).withPlanCache(1, 0))) {
                    for (int b : new int[] {9, 11}) {
                        Random r = new Random(b);
                        int n = b * 3 * c.size() * c.size();
                        HostTensor x =
                                new HostTensor(new int[] {b, 3, c.size(), c.size()}, TestSupport.random(r, n, 1f));
                        float[] y = s.run(x).logits().data();
                        // the last image alone gives the same logits: nothing past it was read or written
                        HostTensor last = new HostTensor(
                                new int[] {1, 3, c.size(), c.size()},
                                java.util.Arrays.copyOfRange(x.data(), n - n / b, n));
                        float[] one = s.run(last).logits().data();
                        float[] tail = java.util.Arrays.copyOfRange(y, y.length - one.length, y.length);
                        TestSupport.assertClose(one, tail, c.model().name() + " batch " + b + ", last image");
                    }
                }
            }
        }
    }
}
