package io.edgecl.profile;

import com.google.gson.Gson;
import io.edgecl.cl.ClBuffer;
import io.edgecl.cl.ClContext;
import io.edgecl.cl.ClEvent;
import io.edgecl.cl.ClKernel;
import io.edgecl.cl.DeviceInfo;
import io.edgecl.cl.ProgramCache;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;

/**
 * A device's measured peak fp32 rate and memory bandwidth, from two micro-kernels
 * (kernels-cl/peak.cl). The rate is the best over vector widths 4 up to the device's preferred
 * float width ({@code vectorWidth} is the one that reached it): CPU runtimes compile each
 * vector type to its own instruction width, so a 4-wide measurement alone is the 128-bit
 * ceiling, not the device's. Measured once per device and driver, then cached on disk.
 */
public record DevicePeak(double gflops, double gbps, int vectorWidth) {
    static final int ITERS = 256;
    /**
     * Independent FMA chains per work-item in peak_flops (kernels-cl/peak.cl), each measured:
     * sixteen spill on a 16-register ISA, eight leave no slack for a stall.
     */
    static final int[] CHAINS = {8, 12, 16};

    static final int REPS = 10;

    /** The cached figures for this device, measuring them first when absent. */
    public static DevicePeak of(ClContext ctx) {
        DeviceInfo i = ctx.info();
        String key = ProgramCache.key("peak-v5", "", i, "");
        Path f = ProgramCache.cacheRoot().resolve("peaks").resolve(key + ".json");
        try {
            if (Files.isRegularFile(f)) {
                return new Gson().fromJson(Files.readString(f, StandardCharsets.UTF_8), DevicePeak.class);
            }
        } catch (IOException | RuntimeException e) {
            // re-measure
        }
        DevicePeak p = measure(ctx);
        try {
            Files.createDirectories(f.getParent());
            Path tmp = Files.createTempFile(f.getParent(), key, ".tmp");
            Files.writeString(tmp, new Gson().toJson(p), StandardCharsets.UTF_8);
            Files.move(tmp, f, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            // best effort
        }
        return p;
    }

    public static DevicePeak measure(ClContext ctx) {
        int items = (int) Math.max(1 << 14, Math.min(1 << 20, (long) ctx.info().computeUnits() * 8192));
        double gflops = 0;
        int bestWidth = 4;
        int widest = Math.max(4, Integer.highestOneBit(ctx.info().preferredFloatWidth()));
        for (int vw = 4; vw <= widest; vw *= 2) {
            for (int chains : CHAINS) {
                var prog = ctx.program(
                        Map.of(
                                "PEAK_ITERS",
                                String.valueOf(ITERS),
                                "PEAK_VW",
                                String.valueOf(vw),
                                "PEAK_CHAINS",
                                String.valueOf(chains)),
                        "peak.cl");
                // the same flops per width: fewer work-items as the vectors widen
                int n = items * 4 / vw;
                try (ClBuffer out = ctx.alloc(4L * n, "peak-out");
                        ClKernel k = prog.kernel("peak_flops")) {
                    k.arg(out).arg(1.0f);
                    long best = Long.MAX_VALUE;
                    // the best of several: on a shared machine single launches lose up to a fifth
                    for (int r = 0; r < REPS; r++) {
                        try (ClEvent e = k.launchTimed(new long[] {n}, null)) {
                            e.waitFor();
                            best = Math.min(best, e.endNs() - e.startNs());
                        }
                    }
                    double g = (double) n * ITERS * chains * vw * 2 / Math.max(1, best);
                    if (g > gflops) {
                        gflops = g;
                        bestWidth = vw;
                    }
                }
            }
        }
        var prog = ctx.program(Map.of("PEAK_ITERS", String.valueOf(ITERS)), "peak.cl");
        long floats = Math.min(ctx.info().maxAllocBytes() / 4 / 2, 1L << 24) / 4 * 4;
        double gbps;
        try (ClBuffer a = ctx.alloc(4 * floats, "peak-a");
                ClBuffer b = ctx.alloc(4 * floats, "peak-b");
                ClKernel k = prog.kernel("peak_copy")) {
            int n4 = (int) (floats / 4);
            k.arg(a).arg(b).arg(n4);
            long best = Long.MAX_VALUE;
            for (int r = 0; r < REPS; r++) {
                try (ClEvent e = k.launchTimed(new long[] {(n4 + 63) / 64 * 64}, null)) {
                    e.waitFor();
                    best = Math.min(best, e.endNs() - e.startNs());
                }
            }
            gbps = 2.0 * 4 * floats / Math.max(1, best);
        }
        return new DevicePeak(gflops, gbps, bestWidth);
    }
}
