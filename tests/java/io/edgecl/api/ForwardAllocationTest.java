package io.edgecl.api;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgecl.TestSupport;
import io.edgecl.models.Models;
import io.edgecl.models.VisionModel;
import io.edgecl.models.Weights;
import io.edgecl.tensor.HostTensor;
import java.lang.management.ManagementFactory;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A forward into the caller's array allocates nothing per launch on the Java heap: the plan's
 * launches are bound once, and enqueueing them, through either binding, creates no object. The
 * JVM's per-thread allocation counter gives the bytes per forward of MobileNetV3 fused and
 * unfused (about twice the launches): what a forward allocates (the input's checks and views,
 * a few hundred bytes) must not grow with the launches.
 */
class ForwardAllocationTest {
    private static long allocated() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean())
                .getThreadAllocatedBytes(Thread.currentThread().getId());
    }

    /** Bytes allocated per forward, and the launches of a forward. */
    private static long[] measure(String binding, boolean fused) {
        VisionModel model = Models.byName("mobilenetv3_small_050");
        SessionOptions o = SessionOptions.defaults().withDevice(Device.wrap(TestSupport.context(binding)));
        if (!fused) o = o.withoutFusion(java.util.EnumSet.allOf(Fusion.class));
        try (Session s = Session.open(model, Weights.synthetic(null), o)) {
            HostTensor x = new HostTensor(new int[] {1, 3, 96, 96}, TestSupport.random(new Random(3), 3 * 96 * 96, 1f));
            float[] into = new float[s.run(x).get(model.primaryOutput()).data().length];
            for (int i = 0; i < 50; i++) s.runInto(x, into); // warm: plans, JIT
            // the least of five windows: a window may also hold the JIT's or a lock's one-off objects
            long perForward = Long.MAX_VALUE;
            for (int w = 0; w < 5; w++) {
                int forwards = 40;
                long before = allocated();
                for (int i = 0; i < forwards; i++) s.runInto(x, into);
                perForward = Math.min(perForward, (allocated() - before) / forwards);
            }
            return new long[] {perForward, s.prepare(1, 96, 96).launches()};
        }
    }

    @Test
    void noAllocationPerLaunch() {
        for (String binding : new String[] {"jocl", "lwjgl"}) {
            long[] f = measure(binding, true), u = measure(binding, false);
            System.out.printf(
                    "forward allocation (%s): %d bytes per forward of %d launches, %d of %d unfused%n",
                    binding, f[0], f[1], u[0], u[1]);
            assertTrue(u[1] > f[1] * 3 / 2, "the unfused plan has more launches: " + u[1] + " vs " + f[1]);
            // the smallest Java object takes 16 bytes: anything made per launch shows as that much
            // per extra launch of the unfused plan
            double perLaunch = (double) (u[0] - f[0]) / (u[1] - f[1]);
            assertTrue(
                    f[0] < 2048 && perLaunch < 4,
                    binding + ": " + f[0] + " bytes per forward of " + f[1] + " launches, " + u[0] + " of " + u[1]
                            + " (" + perLaunch + " per launch)");
        }
    }
}
