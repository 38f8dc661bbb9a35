package io.edgecl.profile;

import io.edgecl.cl.ClEvent;
import io.edgecl.graph.Plan;
import io.edgecl.ops.Launch;
import io.edgecl.tensor.HostTensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Per-launch device times of a plan from OpenCL event timestamps (device clock, not host), the
 * median of each launch over several forwards, and roll-ups per kernel, block and op type.
 */
public final class Profile {
    private final List<LaunchTiming> launches;
    /** Start/duration of every launch of the last profiled forward (for traces). */
    private final List<long[]> lastForward;

    private final long[] forwardNs;

    private final Breakdown breakdown;

    private Profile(List<LaunchTiming> launches, List<long[]> lastForward, long[] forwardNs, Breakdown breakdown) {
        this.launches = launches;
        this.lastForward = lastForward;
        this.forwardNs = forwardNs;
        this.breakdown = breakdown;
    }

    /**
     * Where a profiled forward's wall time goes, in nanoseconds: the mean over the forwards
     * without the slowest tenth, so that the parts add up to the wall time.
     *
     * @param wallNs the calling thread's time for the forward: write, enqueue, wait
     * @param writeNs copying the input into the driver's buffer
     * @param firstWaitNs from the first launch's enqueue to its start (the driver picking it up)
     * @param kernelsNs the launches running, start to end, summed
     * @param gapsNs the device between launches: one's end to the next one's start, summed
     * @param hostBoundNs the part of the gaps in which the next launch was not yet enqueued (the
     *     device waited for the host)
     * @param restNs the rest: the host's wait for the last launch to be reported done, and the
     *     calls around it
     * @param queuedKnown whether the driver gives enqueue times (without them the first wait
     *     and the host-bound part are 0 and the rest holds them)
     */
    public record Breakdown(
            long wallNs,
            long writeNs,
            long firstWaitNs,
            long kernelsNs,
            long gapsNs,
            long hostBoundNs,
            long restNs,
            boolean queuedKnown) {
        /**
         * One line on where a profiled forward's wall time goes beyond the kernels: the input write,
         * the driver picking up the first launch, the gaps between launches (and how much of them the
         * device waited for the host's enqueue), and the wait at the end.
         */
        public String describe(int launches, int forwards) {
            int gaps = Math.max(1, launches - 1);
            StringBuilder s = new StringBuilder(String.format(
                    java.util.Locale.ROOT,
                    "wall: %.3f ms per profiled forward (mean of the %d fastest of %d) = input write %.3f",
                    wallNs() / 1e6,
                    Math.max(1, forwards - forwards / 10),
                    forwards,
                    writeNs() / 1e6));
            if (queuedKnown())
                s.append(String.format(java.util.Locale.ROOT, " + first launch's start %.3f", firstWaitNs() / 1e6));
            s.append(String.format(
                    java.util.Locale.ROOT,
                    " + kernels %.3f + %d gaps between launches %.3f (%.1f µs each",
                    kernelsNs() / 1e6,
                    gaps,
                    gapsNs() / 1e6,
                    gapsNs() / 1e3 / gaps));
            if (queuedKnown()) {
                s.append(String.format(
                        java.util.Locale.ROOT, "; %.3f of it waiting for the host to enqueue", hostBoundNs() / 1e6));
            }
            s.append(String.format(
                    java.util.Locale.ROOT, ") + waiting for the end and the rest %.3f ms", restNs() / 1e6));
            return s.toString();
        }

        /** The parts in milliseconds, by name (nulls where the driver gives no enqueue times). */
        public java.util.Map<String, Object> toMap() {
            java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
            m.put("wall", wallNs() / 1e6);
            m.put("input_write", writeNs() / 1e6);
            m.put("first_launch_start", queuedKnown() ? firstWaitNs() / 1e6 : null);
            m.put("kernels", kernelsNs() / 1e6);
            m.put("gaps", gapsNs() / 1e6);
            m.put("gaps_waiting_for_host", queuedKnown() ? hostBoundNs() / 1e6 : null);
            m.put("rest", restNs() / 1e6);
            return m;
        }
    }

    public Breakdown breakdown() {
        return breakdown;
    }

    /** Runs {@code iters} profiled forwards (after {@code warmup} unprofiled ones). */
    public static Profile run(Plan plan, HostTensor input, int warmup, int iters) {
        for (int i = 0; i < warmup; i++) plan.run(input);
        List<Launch> ls = plan.launches();
        long[][] dur = new long[ls.size()][iters];
        long[] forward = new long[iters];
        // per forward: wall, write, first wait, kernels, gaps, host-bound gaps, rest
        long[][] parts = new long[iters][7];
        boolean queuedKnown = true;
        List<long[]> last = new ArrayList<>();
        for (int it = 0; it < iters; it++) {
            long h0 = System.nanoTime();
            List<ClEvent> events = plan.runTimed(input);
            long wall = System.nanoTime() - h0;
            long first = Long.MAX_VALUE, end = 0, firstQueued = 0, prevEnd = 0;
            long[] part = parts[it];
            part[0] = wall;
            part[1] = plan.lastWriteNanos();
            last.clear();
            for (int i = 0; i < events.size(); i++) {
                try (ClEvent e = events.get(i)) {
                    long s = e.startNs(), f = e.endNs(), q = queuedKnown ? e.queuedNs() : 0;
                    // a driver without enqueue times gives 0 (or a time after the start)
                    if (q <= 0 || q > s) queuedKnown = false;
                    dur[i][it] = f - s;
                    first = Math.min(first, s);
                    end = Math.max(end, f);
                    last.add(new long[] {s, f - s});
                    part[3] += f - s;
                    if (i == 0) {
                        firstQueued = q;
                        part[2] = s - q;
                    } else {
                        part[4] += Math.max(0, s - prevEnd);
                        part[5] += Math.max(0, Math.min(s, q) - prevEnd);
                    }
                    prevEnd = f;
                }
            }
            forward[it] = end - first;
            for (long[] se : last) se[0] -= first;
            if (!queuedKnown) {
                part[2] = 0;
                part[5] = 0;
            }
            part[6] = wall - part[1] - (end - (queuedKnown ? firstQueued : first));
        }
        List<LaunchTiming> out = new ArrayList<>();
        for (int i = 0; i < ls.size(); i++) {
            long[] d = dur[i].clone();
            Arrays.sort(d);
            out.add(new LaunchTiming(i, ls.get(i), last.get(i)[0], d[d.length / 2]));
        }
        return new Profile(out, new ArrayList<>(last), forward, breakdown(parts, queuedKnown));
    }

    /** The mean of each part over the forwards but the slowest tenth by wall time. */
    static Breakdown breakdown(long[][] parts, boolean queuedKnown) {
        long[][] byWall = parts.clone();
        Arrays.sort(byWall, (a, b) -> Long.compare(a[0], b[0]));
        int n = Math.max(1, byWall.length - byWall.length / 10);
        long[] mean = new long[7];
        for (int i = 0; i < n; i++) for (int j = 0; j < 7; j++) mean[j] += byWall[i][j];
        for (int j = 0; j < 7; j++) mean[j] /= n;
        if (!queuedKnown) {
            // without enqueue times the first wait is inside the rest
            mean[6] += mean[2];
            mean[2] = 0;
            mean[5] = 0;
        }
        return new Breakdown(mean[0], mean[1], mean[2], mean[3], mean[4], mean[5], mean[6], queuedKnown);
    }

    public List<LaunchTiming> launches() {
        return launches;
    }

    /** Each profiled forward's device time, first launch start to last launch end. */
    public long[] forwardNs() {
        return forwardNs.clone();
    }

    public List<long[]> lastForward() {
        return lastForward;
    }

    /** Sum of the median launch times: the device-busy time of one forward. */
    public long busyNs() {
        long t = 0;
        for (LaunchTiming l : launches) t += l.durationNs();
        return t;
    }

    /** A roll-up row: what it groups, launches, time and work. */
    public record Row(String key, String detail, int launches, long totalNs, long flops, long bytes) {
        public double meanUs() {
            return totalNs / 1e3 / Math.max(1, launches);
        }

        public double gflops() {
            return totalNs == 0 ? 0 : flops / (double) totalNs;
        }

        public double gbps() {
            return totalNs == 0 ? 0 : bytes / (double) totalNs;
        }

        /** Fraction of the nearer device limit reached (compute or memory), 0..1+. */
        public double peakFraction(DevicePeak p) {
            if (p == null) return 0;
            return Math.max(gflops() / p.gflops(), gbps() / p.gbps());
        }

        /** "compute" or "memory": which limit this work is nearer to on the device. */
        public String bound(DevicePeak p) {
            if (p == null) return "";
            return gflops() / p.gflops() >= gbps() / p.gbps() ? "compute" : "memory";
        }
    }

    public List<Row> byKernel() {
        return group(l -> l.launch().kernelName() + " (" + l.launch().op() + ")", l -> "");
    }

    public List<Row> byBlock() {
        return group(l -> l.launch().block(), l -> "");
    }

    public List<Row> byOp() {
        return group(l -> l.launch().op(), l -> "");
    }

    /** Every launch in order. */
    public List<Row> byLaunch() {
        List<Row> rows = new ArrayList<>();
        for (LaunchTiming l : launches) {
            rows.add(new Row(
                    l.launch().node(),
                    l.launch().kernelName(),
                    1,
                    l.durationNs(),
                    l.launch().flops(),
                    l.launch().bytes()));
        }
        return rows;
    }

    private List<Row> group(Function<LaunchTiming, String> key, Function<LaunchTiming, String> detail) {
        Map<String, long[]> acc = new LinkedHashMap<>();
        for (LaunchTiming l : launches) {
            long[] a = acc.computeIfAbsent(key.apply(l), k -> new long[4]);
            a[0]++;
            a[1] += l.durationNs();
            a[2] += l.launch().flops();
            a[3] += l.launch().bytes();
        }
        List<Row> rows = new ArrayList<>();
        acc.forEach((k, a) -> rows.add(new Row(k, "", (int) a[0], a[1], a[2], a[3])));
        rows.sort((x, y) -> Long.compare(y.totalNs(), x.totalNs()));
        return rows;
    }
}
