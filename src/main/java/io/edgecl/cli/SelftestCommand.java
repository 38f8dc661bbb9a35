package io.edgecl.cli;

import com.google.gson.GsonBuilder;
import io.edgecl.api.Device;
import io.edgecl.api.SelfTest;
import io.edgecl.tensor.Precision;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code edgecl selftest}: every kernel variant and a tiny model per family against references, on this device. */
@Command(
        name = "selftest",
        mixinStandardHelpOptions = true,
        description = {
            "Check this device's results: every op in each kernel variant against the host reference, "
                    + "and a tiny network per family against logits stored in the jar, in each precision the device "
                    + "offers (and, with --golden, fixture folders against their stored outputs).",
            "Exit code 0 when every check passes, 1 when one fails. The outcome per precision is kept per device "
                    + "and driver; --precision auto picks only modes that passed."
        })
public final class SelftestCommand implements Callable<Integer> {
    @Option(
            names = {"-d", "--device"},
            paramLabel = "DEVICE",
            description = "OpenCL device (as for every command).")
    String device;

    @Option(names = "--binding", paramLabel = "jocl|lwjgl", description = "Java OpenCL binding.")
    String binding;

    @Option(
            names = "--precision",
            paramLabel = "fp32|fp16-storage|fp16|all",
            defaultValue = "all",
            description = "Precision to check (default: all the device offers).")
    String precision;

    @Option(
            names = "--golden",
            paramLabel = "DIR",
            description = "Also check fixture folders (case.json, weights, io.safetensors): DIR or its subfolders.")
    Path golden;

    @Option(names = "--no-variants", description = "Only the device's default kernels.")
    boolean noVariants;

    @Option(names = "--no-models", description = "Skip the tiny networks.")
    boolean noModels;

    @Option(
            names = "--only",
            paramLabel = "NAME",
            split = ",",
            description =
                    "Only the op samples and tiny networks whose name starts with NAME (e.g. gemm,dwconv,edgenext).")
    List<String> only;

    @Option(names = "--failures", description = "Print only the checks that did not pass.")
    boolean failuresOnly;

    @Option(names = "--json", description = "Machine-readable output.")
    boolean json;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (Device d = Device.open(device, binding, null)) {
            List<Precision> ps = precision.equals("all") ? SelfTest.available(d) : List.of(Precision.parse(precision));
            SelfTest.Options o =
                    new SelfTest.Options(ps, !noVariants, !noModels, golden, only == null ? List.of() : only);
            long t0 = System.nanoTime();
            if (!json)
                out.printf(
                        "selftest on %s, precisions %s%n",
                        d.summary(), ps.stream().map(Precision::id).toList());
            SelfTest.Report r = SelfTest.run(d, o, c -> {
                if (json || (failuresOnly && c.status() == SelfTest.Status.PASS)) return;
                out.println(c.line());
                out.flush();
            });
            double secs = (System.nanoTime() - t0) / 1e9;
            if (json) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("device", r.device());
                m.put("driver", r.driver());
                m.put("passed", r.passed());
                m.put("failures", r.failures());
                m.put(
                        "passed_precisions",
                        r.passedPrecisions().stream().map(Precision::id).toList());
                m.put("seconds", secs);
                m.put("compile", d.programs().toMap());
                List<Map<String, Object>> rows = new ArrayList<>();
                for (SelfTest.Check c : r.checks()) {
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("kind", c.kind());
                    row.put("name", c.name());
                    row.put("precision", c.precision());
                    row.put("variant", c.variant());
                    row.put("kernels", c.kernels());
                    row.put("status", c.status().name().toLowerCase(java.util.Locale.ROOT));
                    row.put("max_rel_error", Double.isFinite(c.maxError()) ? c.maxError() : null);
                    row.put("tolerance", c.tolerance());
                    row.put("detail", c.detail());
                    rows.add(row);
                }
                m.put("checks", rows);
                out.println(new GsonBuilder()
                        .setPrettyPrinting()
                        .serializeNulls()
                        .create()
                        .toJson(m));
            } else {
                long pass = r.checks().stream()
                        .filter(c -> c.status() == SelfTest.Status.PASS)
                        .count();
                long skip = r.checks().stream()
                        .filter(c -> c.status() == SelfTest.Status.SKIP)
                        .count();
                out.printf(
                        java.util.Locale.ROOT,
                        "selftest: %s: %d passed, %d failed, %d skipped in %.1f s%n",
                        r.passed() ? "PASS" : "FAIL",
                        pass,
                        r.failures(),
                        skip,
                        secs);
                out.printf(java.util.Locale.ROOT, "compile: %s%n", d.programs().summary());
            }
            out.flush();
            return r.passed() ? 0 : 1;
        }
    }
}
