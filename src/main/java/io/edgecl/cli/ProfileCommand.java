package io.edgecl.cli;

import io.edgecl.EdgeClException;
import io.edgecl.api.Device;
import io.edgecl.api.Session;
import io.edgecl.models.VisionModel;
import io.edgecl.profile.ChromeTrace;
import io.edgecl.profile.CsvReport;
import io.edgecl.profile.DevicePeak;
import io.edgecl.profile.HtmlReport;
import io.edgecl.profile.Profile;
import io.edgecl.profile.Stats;
import io.edgecl.tensor.HostTensor;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code edgecl profile}: where every microsecond of a forward goes, per kernel, block and op. */
@Command(
        name = "profile",
        mixinStandardHelpOptions = true,
        description =
                "Per-kernel device times from OpenCL events, with FLOPs, bytes, achieved GFLOP/s and GB/s "
                        + "against the device's measured peak; roll-ups per block and op type; Chrome trace, CSV and HTML report.")
public final class ProfileCommand extends SessionCommand {
    @Mixin
    RunOptions run;

    @Option(
            names = "--trace",
            paramLabel = "FILE.json",
            description = "Write a Chrome trace (Perfetto, chrome://tracing).")
    Path trace;

    @Option(names = "--csv", paramLabel = "FILE.csv", description = "Write one row per launch.")
    Path csv;

    @Option(
            names = "--html",
            paramLabel = "FILE.html",
            description = "Write a self-contained HTML report: roofline, time per block, launch timeline.")
    Path html;

    @Option(
            names = "--by",
            paramLabel = "kernel|block|op|launch",
            description = "Print only this table (default: kernel, op and block).")
    String by;

    @Option(names = "--top", paramLabel = "N", defaultValue = "25", description = "Rows per table (default: 25).")
    int top;

    @Option(
            names = "--json",
            description = "Machine-readable output: the forward's figures, every row of the "
                    + "kernel, op and block tables (--by: that one only), and the compile bill.")
    boolean json;

    @Override
    public Integer call() {
        run.check();
        if (by != null && !List.of("kernel", "block", "op", "launch").contains(by)) {
            throw new EdgeClException("--by must be kernel, block, op or launch, got '" + by + "'");
        }
        VisionModel model = modelOptions.model();
        int s = run.size(model.preprocess().size());
        model.checkInput(3, s, s);
        try (Session session = Session.open(model, modelOptions.weights(true, run.randomWeights), sessionOptions())) {
            Device dev = session.device();
            int launches = session.prepare(run.batch, s, s).launches();
            HostTensor input = run.input(3, s);
            DevicePeak peak = dev.peak();
            Profile p = session.profile(input, run.warmup, run.iters);
            PrintWriter out = spec.commandLine().getOut();
            Stats fwd = Stats.of(p.forwardNs());
            if (json) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("model", model.name());
                m.put("device", dev.name());
                m.put("input", List.of(run.batch, 3, s, s));
                m.put("launches_per_forward", launches);
                m.put("forward_device_ms", fwd);
                m.put("kernels_busy_ms", p.busyNs() / 1e6);
                m.put("wall_breakdown_ms", p.breakdown().toMap());
                m.put("peak_gflops", peak.gflops());
                m.put("peak_gbps", peak.gbps());
                for (String t : List.of("kernel", "op", "block", "launch")) {
                    if (by == null ? t.equals("launch") : !by.equals(t)) continue;
                    List<Profile.Row> rows = switch (t) {
                        case "kernel" -> p.byKernel();
                        case "op" -> p.byOp();
                        case "block" -> p.byBlock();
                        default -> p.byLaunch();
                    };
                    List<Map<String, Object>> list = new ArrayList<>();
                    for (Profile.Row r : rows) {
                        Map<String, Object> row = new LinkedHashMap<>();
                        row.put("key", r.key());
                        row.put("launches", r.launches());
                        row.put("total_us", r.totalNs() / 1e3);
                        row.put("mean_us", r.meanUs());
                        row.put("flops", r.flops());
                        row.put("bytes", r.bytes());
                        row.put("gflops", r.gflops());
                        row.put("gbps", r.gbps());
                        row.put("peak_fraction", r.peakFraction(peak));
                        row.put("bound", r.bound(peak));
                        list.add(row);
                    }
                    m.put("by_" + t, list);
                }
                m.put("compile", dev.programs().toMap());
                writeFiles(out, p, peak, dev, model, s, launches, true);
                out.println(JsonOutput.pretty(m));
                out.flush();
                return 0;
            }
            out.printf(Locale.ROOT, "%s  input [%d, 3, %d, %d]  on %s%n", model.name(), run.batch, s, s, dev.name());
            out.printf(
                    Locale.ROOT,
                    "forward: %.3f ms device time (median of %d, min %.3f), %d launches, kernels busy "
                            + "%.3f ms; device peak %.1f GFLOP/s (measured, float%d FMAs), %.1f GB/s (measured)%n",
                    fwd.medianMs(),
                    fwd.n(),
                    fwd.minMs(),
                    launches,
                    p.busyNs() / 1e6,
                    peak.gflops(),
                    peak.vectorWidth(),
                    peak.gbps());
            if (dev.computeUnits() > 0 && dev.clockMhz() > 0) {
                // flop per cycle at the reported clock: compare with the core's FMA width x pipes x 2
                // (a clock that boosts above the reported one shows as more than the core's figure)
                out.printf(
                        Locale.ROOT,
                        "peak: %.1f flop per cycle on each of %d compute units at the reported %d MHz; "
                                + "%%peak below is of the measured figure, GB/s of a copy larger than the caches%n",
                        peak.gflops() * 1e3 / (dev.computeUnits() * (double) dev.clockMhz()),
                        dev.computeUnits(),
                        dev.clockMhz());
            }
            out.println(p.breakdown().describe(launches, fwd.n()));
            if (by == null || by.equals("kernel")) table(out, "kernel", p.byKernel(), p, peak);
            if (by == null || by.equals("op")) table(out, "op type", p.byOp(), p, peak);
            if (by == null || by.equals("block")) table(out, "block", p.byBlock(), p, peak);
            if ("launch".equals(by)) table(out, "launch", p.byLaunch(), p, peak);
            out.printf(Locale.ROOT, "%ncompile: %s%n", dev.programs().summary());
            writeFiles(out, p, peak, dev, model, s, launches, false);
            out.flush();
        }
        return 0;
    }

    /** The --trace, --csv and --html files; their paths go to stderr under --json (stdout is the JSON). */
    private void writeFiles(
            PrintWriter out,
            Profile p,
            DevicePeak peak,
            Device dev,
            VisionModel model,
            int s,
            int launches,
            boolean quiet) {
        PrintWriter say = quiet ? spec.commandLine().getErr() : out;
        if (trace != null) {
            ChromeTrace.write(trace, p, model.name() + " on " + dev.name());
            say.println("trace: " + trace + " (" + launches + " launch events)");
        }
        if (csv != null) {
            CsvReport.write(csv, p, peak);
            say.println("csv: " + csv);
        }
        if (html != null) {
            HtmlReport.write(
                    html, p, peak, model.name() + " [" + run.batch + ", 3, " + s + ", " + s + "] on " + dev.name());
            say.println("html: " + html);
        }
        say.flush();
    }

    private void table(PrintWriter out, String title, List<Profile.Row> rows, Profile p, DevicePeak peak) {
        double total = p.busyNs();
        out.printf(Locale.ROOT, "%nby %s:%n", title);
        out.printf(
                Locale.ROOT,
                "  %-44s %5s %10s %9s %6s %9s %9s %8s %8s %6s %s%n",
                title,
                "calls",
                "total us",
                "mean us",
                "share",
                "MFLOP",
                "KB",
                "GFLOP/s",
                "GB/s",
                "%peak",
                "bound");
        int n = 0;
        for (Profile.Row r : rows) {
            if (n++ >= top) {
                out.printf("  ... %d more rows (--top)%n", rows.size() - top);
                break;
            }
            String key = r.key().length() > 44 ? "…" + r.key().substring(r.key().length() - 43) : r.key();
            out.printf(
                    Locale.ROOT,
                    "  %-44s %5d %10.1f %9.1f %5.1f%% %9.2f %9.1f %8.2f %8.2f %5.1f%% %s%n",
                    key,
                    r.launches(),
                    r.totalNs() / 1e3,
                    r.meanUs(),
                    100 * r.totalNs() / total,
                    r.flops() / 1e6,
                    r.bytes() / 1024.0,
                    r.gflops(),
                    r.gbps(),
                    100 * r.peakFraction(peak),
                    r.bound(peak));
        }
    }
}
