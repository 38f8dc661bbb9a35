package io.edgecl.cli;

import com.google.gson.GsonBuilder;
import io.edgecl.Bytes;
import io.edgecl.api.Device;
import io.edgecl.api.Footprint;
import io.edgecl.api.Session;
import io.edgecl.api.SessionOptions;
import io.edgecl.models.Models;
import io.edgecl.models.VisionModel;
import io.edgecl.tensor.Precision;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code edgecl models}: registered names with parameters and MACs at the default input size; with --memory, device bytes. */
@Command(
        name = "models",
        mixinStandardHelpOptions = true,
        description = {
            "List the registered models with parameter count and MACs at their default input size.",
            "With --memory: the device memory each needs at --batch, in fp32 and in fp16 (both fp16 modes store "
                    + "2 bytes per value): weights, peak activations (buffers shared by lifetime, plus the most scratch "
                    + "any kernel variant takes) and their sum, planned on the host with no device."
        })
public final class ModelsCommand implements Callable<Integer> {
    @Option(names = "--json", description = "Machine-readable output.")
    boolean json;

    @Option(names = "--size", description = "Input size for the MAC count (default: each model's).")
    Integer size;

    @Option(names = "--family", paramLabel = "NAME", description = "Only this family (e.g. edgenext, mobilenetv3).")
    String family;

    @Option(names = "--memory", description = "Also report weight and peak activation bytes per precision.")
    boolean memory;

    @Option(names = "--batch", defaultValue = "1", description = "Batch size for --memory (default 1).")
    int batch;

    @Option(
            names = {"-m", "--model"},
            paramLabel = "NAME",
            description = "Only this model.")
    String only;

    @Option(
            names = "--programs",
            description = "With -m: the distinct OpenCL programs (kernel file and build "
                    + "options) the model's plan launches on the device (--device, --precision), with their kernels and the "
                    + "compile bill of building them: what a first run there compiles.")
    boolean programs;

    @Option(
            names = {"-d", "--device"},
            paramLabel = "DEVICE",
            description =
                    "For --programs: the OpenCL device "
                            + "(P:D, N or a name substring; default $EDGECL_DEVICE, else the first GPU, else the first device).")
    String device;

    @Option(
            names = "--precision",
            paramLabel = "P",
            defaultValue = "fp32",
            description = "For --programs: fp32, fp16-storage or fp16 (default fp32).")
    String precision;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        if (batch < 1) throw new io.edgecl.EdgeClException("--batch must be at least 1, not " + batch);
        if (only != null) Models.byName(only); // an unknown name fails here, with the list of names
        if (programs) return programs();
        List<Map<String, Object>> rows = new ArrayList<>();
        for (String name : Models.names()) {
            VisionModel m = Models.byName(name);
            if (family != null && !m.family().equalsIgnoreCase(family)) continue;
            if (only != null && !name.equals(only)) continue;
            int s = size != null ? size : m.preprocess().size();
            VisionModel.Size size = m.size(s, s);
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("name", name);
            r.put("family", m.family());
            r.put("params", size.params());
            r.put("macs", size.macs());
            r.put("input_size", s);
            r.put("crop_pct", m.preprocess().cropPct());
            if (memory) {
                r.put("batch", batch);
                for (Precision p : new Precision[] {Precision.FP32, Precision.FP16_STORAGE}) {
                    Footprint f = Footprint.estimate(m, batch, s, s, p);
                    String k = p == Precision.FP32 ? "fp32" : "fp16";
                    r.put(k + "_weight_bytes", f.weightBytes());
                    r.put(k + "_activation_bytes", f.activationBytes());
                    r.put(k + "_peak_bytes", f.peakBytes());
                }
            }
            rows.add(r);
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(new GsonBuilder().setPrettyPrinting().create().toJson(rows));
        } else {
            int w = 5;
            for (Map<String, Object> r : rows) w = Math.max(w, ((String) r.get("name")).length());
            out.printf("%-" + w + "s  %-14s %12s %10s %6s", "model", "family", "params", "GMACs", "size");
            if (memory) {
                out.printf(
                        "  %10s %10s %10s  %10s %10s %10s  (batch %d)",
                        "fp32 wts", "acts", "peak", "fp16 wts", "acts", "peak", batch);
            }
            out.println();
            for (Map<String, Object> r : rows) {
                out.printf(
                        Locale.ROOT,
                        "%-" + w + "s  %-14s %,12d %10.3f %6d",
                        r.get("name"),
                        r.get("family"),
                        r.get("params"),
                        ((Long) r.get("macs")) / 1e9,
                        r.get("input_size"));
                if (memory) {
                    for (String k : new String[] {"fp32", "fp16"}) {
                        out.printf(
                                "  %10s %10s %10s",
                                Bytes.human((Long) r.get(k + "_weight_bytes")),
                                Bytes.human((Long) r.get(k + "_activation_bytes")),
                                Bytes.human((Long) r.get(k + "_peak_bytes")));
                    }
                }
                out.println();
            }
        }
        out.flush();
        return 0;
    }

    /** --programs: builds the plan with synthetic weights and lists what it launches. */
    private int programs() {
        if (only == null) throw new io.edgecl.EdgeClException("--programs needs a model: -m NAME");
        VisionModel m = Models.byName(only);
        int s = size != null ? size : m.preprocess().size();
        PrintWriter out = spec.commandLine().getOut();
        try (Device d = Device.open(device, null, Precision.parse(precision));
                Session session = Session.open(
                        m,
                        io.edgecl.models.Weights.synthetic(0L),
                        SessionOptions.defaults().withDevice(d))) {
            List<Session.ProgramUse> ps = session.programs(batch, s, s);
            Device.ProgramStats bill = d.programs();
            if (json) {
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("model", m.name());
                r.put("device", d.name());
                r.put("precision", d.precision().id());
                r.put("input", List.of(batch, 3, s, s));
                r.put("programs", ps);
                r.put("compile", bill.toMap());
                out.println(new GsonBuilder().setPrettyPrinting().create().toJson(r));
            } else {
                out.printf(
                        Locale.ROOT,
                        "%s [%d, 3, %d, %d] on %s (%s): %d distinct programs%n",
                        m.name(),
                        batch,
                        s,
                        s,
                        d.name(),
                        d.precision().id(),
                        ps.size());
                for (Session.ProgramUse u : ps) {
                    out.printf(
                            Locale.ROOT,
                            "  %-16s %-60s %3d launches  %s%n",
                            u.file(),
                            u.options(),
                            u.launches(),
                            String.join(", ", u.kernels()));
                }
                out.printf(
                        Locale.ROOT,
                        "compile (building the plan; kernels that compile at first launch are not "
                                + "launched here): %s%n",
                        bill.summary());
            }
        }
        out.flush();
        return 0;
    }
}
