package io.edgecl.ops;

import io.edgecl.cl.ClBuffer;
import io.edgecl.cl.ClContext;
import io.edgecl.cl.ClEvent;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/** Measures every GEMM candidate on one shape (device time from events) and names the fastest. */
public final class GemmTuner {
    /** Median-free best-of timings per candidate, the winner, and the default's time. */
    public record Result(int m, int n, int k, Map<Gemm.Config, Long> nanos, Gemm.Config best, Gemm.Config before) {
        public long bestNanos() {
            return nanos.get(best);
        }

        public long beforeNanos() {
            return nanos.getOrDefault(before, bestNanos());
        }
    }

    private GemmTuner() {}

    /**
     * Times each candidate {@code reps} times (after one warm-up), with the op's activation in the
     * epilogue; {@code choices} give the choice before (the result's {@code before}). Stores
     * nothing: the caller keeps the winner ({@link Result#best}) where it decides.
     */
    public static Result tune(ClContext ctx, OpChoices choices, int m, int n, int k, Act act, int reps) {
        Gemm.Config before = Gemm.config(choices, ctx, m, n, k);
        Random r = new Random(m * 31L + n * 17L + k);
        float[] a = new float[m * k], b = new float[k * n];
        for (int i = 0; i < a.length; i++) a[i] = r.nextFloat() - 0.5f;
        for (int i = 0; i < b.length; i++) b[i] = r.nextFloat() - 0.5f;
        Map<Gemm.Config, Long> times = new LinkedHashMap<>();
        Gemm.Config best = null;
        try (ClBuffer da = ctx.uploadStored(a, "tune-a");
                ClBuffer dc = ctx.alloc((long) ctx.precision().elementBytes() * m * n, "tune-c")) {
            for (Gemm.Config c : KernelFamily.GEMM.candidates()) {
                try (ClBuffer db = ctx.uploadStored(Gemm.layoutB(b, k, n, c), "tune-b");
                        Launch l = Gemm.create(
                                ctx, choices, Gemm.Call.of(da, db, dc, m, n, k).act(act), c)) {
                    l.run();
                    ctx.finish();
                    long t = Long.MAX_VALUE;
                    for (int i = 0; i < reps; i++) {
                        try (ClEvent e = l.runTimed()) {
                            e.waitFor();
                            t = Math.min(t, e.endNs() - e.startNs());
                        }
                    }
                    times.put(c, t);
                    if (best == null || t < times.get(best)) best = c;
                }
            }
        }
        return new Result(m, n, k, times, best, before);
    }
}
