package io.edgecl.cli;

import com.google.gson.GsonBuilder;
import io.edgecl.models.Models;
import io.edgecl.models.VisionModel;
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

/** {@code edgecl models}: registered names with parameters and MACs at the default input size. */
@Command(name = "models", mixinStandardHelpOptions = true,
        description = "List the registered models with parameter count and MACs at their default input size.")
public final class ModelsCommand implements Callable<Integer> {
    @Option(names = "--json", description = "Machine-readable output.")
    boolean json;

    @Option(names = "--size", description = "Input size for the MAC count (default: each model's).")
    Integer size;

    @Option(names = "--family", paramLabel = "NAME", description = "Only this family (e.g. edgenext, mobilenetv3).")
    String family;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (String name : Models.names()) {
            VisionModel m = Models.byName(name);
            if (family != null && !m.family().equalsIgnoreCase(family)) continue;
            int s = size != null ? size : m.preprocess().size();
            VisionModel.Size size = m.size(s, s);
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("name", name);
            r.put("family", m.family());
            r.put("params", size.params());
            r.put("macs", size.macs());
            r.put("input_size", s);
            r.put("crop_pct", m.preprocess().cropPct());
            rows.add(r);
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(new GsonBuilder().setPrettyPrinting().create().toJson(rows));
        } else {
            int w = 5;
            for (Map<String, Object> r : rows) w = Math.max(w, ((String) r.get("name")).length());
            out.printf("%-" + w + "s  %-14s %12s %10s %6s%n", "model", "family", "params", "GMACs", "size");
            for (Map<String, Object> r : rows) {
                out.printf(Locale.ROOT, "%-" + w + "s  %-14s %,12d %10.3f %6d%n", r.get("name"), r.get("family"),
                        r.get("params"), ((Long) r.get("macs")) / 1e9, r.get("input_size"));
            }
        }
        out.flush();
        return 0;
    }
}
