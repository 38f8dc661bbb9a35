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

    private Profile(List<LaunchTiming> launches, List<long[]> lastForward, long[] forwardNs) {
        this.launches = launches;
        this.lastForward = lastForward;
        this.forwardNs = forwardNs;
    }

    /** Runs {@code iters} profiled forwards (after {@code warmup} unprofiled ones). */
    public static Profile run(Plan plan, HostTensor input, int warmup, int iters) {
        for (int i = 0; i < warmup; i++) plan.run(input);
        List<Launch> ls = plan.launches();
        long[][] dur = new long[ls.size()][iters];
        long[] forward = new long[iters];
        List<long[]> last = new ArrayList<>();
        for (int it = 0; it < iters; it++) {
            List<ClEvent> events = plan.runTimed(input);
            long first = Long.MAX_VALUE, end = 0;
            last.clear();
            for (int i = 0; i < events.size(); i++) {
                try (ClEvent e = events.get(i)) {
                    long s = e.startNs(), f = e.endNs();
                    dur[i][it] = f - s;
                    first = Math.min(first, s);
                    end = Math.max(end, f);
                    last.add(new long[] {s, f - s});
                }
            }
            forward[it] = end - first;
            for (long[] se : last) se[0] -= first;
        }
        List<LaunchTiming> out = new ArrayList<>();
        for (int i = 0; i < ls.size(); i++) {
            long[] d = dur[i].clone();
            Arrays.sort(d);
            out.add(new LaunchTiming(i, ls.get(i), last.get(i)[0], d[d.length / 2]));
        }
        return new Profile(out, new ArrayList<>(last), forward);
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
