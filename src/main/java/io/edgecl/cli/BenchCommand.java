package io.edgecl.cli;

import io.edgecl.Bytes;
import io.edgecl.api.Device;
import io.edgecl.api.Footprint;
import io.edgecl.api.Session;
import io.edgecl.models.VisionModel;
import io.edgecl.profile.Stats;
import io.edgecl.tensor.HostTensor;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code edgecl bench}: latency and throughput of full forwards on one device. */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = "Time full forward passes: device time (OpenCL events) and wall time per forward "
                + "(the input written, the primary output read into one array), launches, peak device memory, "
                + "and cold start.")
public final class BenchCommand extends SessionCommand {
    @Mixin
    RunOptions run;

    @Option(names = "--json", description = "Machine-readable output.")
    boolean json;

    @Option(
            names = "--ab",
            paramLabel = "CHANGE",
            description = "Time a second configuration B against the one given (A), forward by forward in turn in "
                    + "this process (A B, B A, ...; --iters pairs after --warmup), and print the ratio B/A pair by "
                    + "pair: B is A with CHANGE, one of no-fuse[=RULE[,RULE]], kernel=FAMILY=VALUE, "
                    + "binding=jocl|lwjgl, precision=fp32|fp16-storage|fp16 (repeatable: all apply to B).")
    List<String> ab;

    @Override
    public Integer call() {
        run.check();
        VisionModel model = modelOptions.model();
        int s = run.size(model.preprocess().size());
        model.checkInput(3, s, s);
        PrintWriter err = spec.commandLine().getErr();
        if (ab != null && !ab.isEmpty()) return abBench(model, s);
        long t0 = System.nanoTime();
        Device dev = deviceOptions.open();
        long tCtx = System.nanoTime();
        try (Session session = Session.open(
                model,
                modelOptions.weights(true, run.randomWeights),
                sessionOptions().withOwnedDevice(dev))) {
            long tWeights = System.nanoTime();
            Footprint fp = session.prepare(run.batch, s, s);
            long tPlan = System.nanoTime();
            HostTensor input = run.input(3, s);
            // the primary output is read into one array, as a serving loop would: a forward's
            // wall time is then not the JVM's cost of a new array of the output's size
            float[] outputs = session.run(input).get(model.primaryOutput()).data();
            long tFirst = System.nanoTime();

            Progress progress = new Progress(err, run.warmup + 2 * run.iters, json);
            for (int i = 0; i < run.warmup; i++) {
                session.runInto(input, outputs);
                progress.step();
            }
            long[] wall = new long[run.iters], host = new long[run.iters];
            for (int i = 0; i < run.iters; i++) {
                long a = System.nanoTime();
                session.runInto(input, outputs);
                wall[i] = System.nanoTime() - a;
                host[i] = session.lastEnqueueNanos(run.batch, s, s);
                progress.step();
            }
            long[] device = new long[run.iters];
            long[] wallTimed = new long[run.iters];
            for (int i = 0; i < run.iters; i++) {
                long a = System.nanoTime();
                device[i] = session.timedRun(input);
                wallTimed[i] = System.nanoTime() - a;
                progress.step();
            }
            progress.done();
            Stats w = Stats.of(wall), d = Stats.of(device), wt = Stats.of(wallTimed), h = Stats.of(host);
            Map<String, Object> r = new LinkedHashMap<>();
            r.putAll(what(model, dev, s));
            r.put("launches_per_forward", fp.launches());
            r.put("wall_ms", w);
            r.put("device_ms", d);
            r.put("wall_ms_with_events", wt);
            r.put("host_enqueue_ms", h);
            dev.poclWorkerPollMicros().ifPresent(us -> r.put("pocl_worker_poll_us", us));
            r.put("images_per_s", run.batch / (w.medianMs() / 1e3));
            r.put("activation_bytes", fp.activationBytes());
            r.put("weight_bytes", fp.weightBytes());
            r.put("peak_device_bytes", fp.peakBytes());
            r.put("all_activations_bytes", fp.allActivationsBytes());
            r.put("macs", fp.macs());
            Map<String, Object> cold = new LinkedHashMap<>();
            cold.put("context_ms", (tCtx - t0) / 1e6);
            cold.put("weights_ms", (tWeights - tCtx) / 1e6);
            cold.put("plan_ms", (tPlan - tWeights) / 1e6);
            Device.ProgramStats ps = dev.programs();
            cold.put("programs", ps.programs());
            cold.put("programs_from_cache", ps.fromCache());
            cold.put("program_build_ms", ps.buildMs());
            cold.put("first_forward_ms", (tFirst - tPlan) / 1e6);
            cold.put("compile", ps.toMap());
            r.put("cold_start", cold);
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                out.println(JsonOutput.pretty(r));
            } else {
                print(out, r, w, d, wt, h, cold, ps);
            }
            out.flush();
        }
        return 0;
    }

    /** {@code --ab}: A and B in turn, forward by forward. */
    private int abBench(VisionModel model, int s) {
        AbBench.Changes changes = AbBench.Changes.parse(ab);
        HostTensor input = run.input(3, s);
        PrintWriter out = spec.commandLine().getOut();
        try (Device dev = deviceOptions.open()) {
            AbBench.Result r = AbBench.run(
                    model,
                    modelOptions.weights(true, run.randomWeights),
                    deviceOptions,
                    modelOptions.disabledRules(),
                    changes,
                    dev,
                    input,
                    run.warmup,
                    run.iters);
            Map<String, Object> m = what(model, dev, s);
            if (json) {
                m.putAll(AbBench.toMap(r, changes));
                out.println(JsonOutput.pretty(m));
            } else {
                header(out, m);
                for (String line : AbBench.lines(r, changes)) out.println(line);
            }
            out.flush();
        }
        return 0;
    }

    /** What ran where: model, device, binding, input shape, fusion rules off (both modes' first fields). */
    private Map<String, Object> what(VisionModel model, Device dev, int s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", model.name());
        m.put("device", dev.name());
        m.put("binding", dev.binding());
        m.put("input", List.of(run.batch, 3, s, s));
        m.put("fusion_disabled", modelOptions.disabledRules());
        return m;
    }

    private static void header(PrintWriter out, Map<String, Object> what) {
        out.printf(
                Locale.ROOT,
                "%s  input %s  on %s (%s)%n",
                what.get("model"),
                what.get("input"),
                what.get("device"),
                what.get("binding"));
    }

    private void print(
            PrintWriter out,
            Map<String, Object> r,
            Stats w,
            Stats d,
            Stats wt,
            Stats h,
            Map<String, Object> cold,
            Device.ProgramStats ps) {
        header(out, r);
        out.printf(
                Locale.ROOT,
                "  fusion: %s, %d launches per forward, %.3f GMACs%n",
                modelOptions.disabledRules().isEmpty() ? "all rules" : "off: " + modelOptions.disabledRules(),
                (Integer) r.get("launches_per_forward"),
                ((Long) r.get("macs")) / 1e9);
        out.printf(Locale.ROOT, "  %-26s %9s %9s %9s   (%d forwards)%n", "", "min", "median", "p90", w.n());
        out.printf(
                Locale.ROOT, "  %-26s %9.3f %9.3f %9.3f ms%n", "wall per forward", w.minMs(), w.medianMs(), w.p90Ms());
        out.printf(
                Locale.ROOT,
                "  %-26s %9.3f %9.3f %9.3f ms%n",
                "device per forward (events)",
                d.minMs(),
                d.medianMs(),
                d.p90Ms());
        out.printf(
                Locale.ROOT,
                "  %-26s %9.3f %9.3f %9.3f ms%n",
                "wall with events on",
                wt.minMs(),
                wt.medianMs(),
                wt.p90Ms());
        int launches = (Integer) r.get("launches_per_forward");
        out.printf(
                Locale.ROOT,
                "  %-26s %9.3f %9.3f %9.3f ms (%.1f µs per launch)%n",
                "host enqueue per forward",
                h.minMs(),
                h.medianMs(),
                h.p90Ms(),
                h.medianMs() * 1e3 / Math.max(1, launches));
        if (r.get("pocl_worker_poll_us") instanceof Long us) out.printf(Locale.ROOT, "  %s%n", poclWorkers(us));
        out.printf(Locale.ROOT, "  throughput: %.1f images/s%n", (Double) r.get("images_per_s"));
        out.printf(
                Locale.ROOT,
                "  device memory: %s peak (%s activations in shared buffers + %s weights); "
                        + "all activations would take %s%n",
                Bytes.human((Long) r.get("peak_device_bytes")),
                Bytes.human((Long) r.get("activation_bytes")),
                Bytes.human((Long) r.get("weight_bytes")),
                Bytes.human((Long) r.get("all_activations_bytes")));
        out.printf(
                Locale.ROOT,
                "  cold start: context %.1f ms, weights %.1f ms, plan %.1f ms (%d programs, %d from cache, "
                        + "%.1f ms building), first forward %.1f ms%n",
                cold.get("context_ms"),
                cold.get("weights_ms"),
                cold.get("plan_ms"),
                cold.get("programs"),
                cold.get("programs_from_cache"),
                cold.get("program_build_ms"),
                cold.get("first_forward_ms"));
        printCompile(out, ps);
    }

    /** How PoCL's CPU workers wait between launches; the gap costs a wake-up per launch when they sleep. */
    public static String poclWorkers(long pollMicros) {
        if (pollMicros > 0) return "PoCL workers: poll " + pollMicros + " µs before they sleep (libedgecl-pocl-spin)";
        if (pollMicros == 0) return "PoCL workers: sleep when idle (EDGECL_POCL_SPIN_US=0)";
        return "PoCL workers: sleep when idle, a wake-up per launch (libedgecl-pocl-spin not loaded: ./edgecl"
                + " builds and preloads tools/pocl-spin.c where a C compiler is installed; README, \"Devices and"
                + " environment\")";
    }

    /** The compile bill, with the kernel files that cost most first. */
    static void printCompile(PrintWriter out, Device.ProgramStats ps) {
        out.printf(Locale.ROOT, "  compile: %s%n", ps.summary());
        StringBuilder b = new StringBuilder();
        ps.byFile().entrySet().stream()
                .sorted((x, y) -> Double.compare(
                        y.getValue().buildMs() + y.getValue().firstLaunchMs(),
                        x.getValue().buildMs() + x.getValue().firstLaunchMs()))
                .forEach(e -> b.append(b.length() == 0 ? "" : ", ")
                        .append(String.format(
                                Locale.ROOT,
                                "%s %d+%d (%.0f ms)",
                                e.getKey(),
                                e.getValue().programs(),
                                e.getValue().firstLaunches(),
                                e.getValue().buildMs() + e.getValue().firstLaunchMs())));
        if (b.length() > 0) out.printf(Locale.ROOT, "  compile by file (programs+first launches): %s%n", b);
    }

    /** A one-line progress indicator on stderr for runs longer than a couple of seconds. */
    static final class Progress {
        private final PrintWriter err;
        private final int total;
        private final boolean quiet;
        private final long start = System.nanoTime();
        private int done;
        private long lastPrint;
        private boolean printed;

        Progress(PrintWriter err, int total, boolean quiet) {
            this.err = err;
            this.total = total;
            this.quiet = quiet;
        }

        void step() {
            done++;
            long now = System.nanoTime();
            if (quiet || now - start < 2_000_000_000L || now - lastPrint < 500_000_000L) return;
            lastPrint = now;
            double perStep = (now - start) / 1e9 / done;
            err.printf(Locale.ROOT, "\r  %d/%d forwards, %.0f s left   ", done, total, perStep * (total - done));
            err.flush();
            printed = true;
        }

        void done() {
            if (printed) {
                err.print("\r" + " ".repeat(40) + "\r");
                err.flush();
            }
        }
    }
}
