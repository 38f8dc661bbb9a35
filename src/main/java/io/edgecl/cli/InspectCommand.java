package io.edgecl.cli;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.edgecl.io.TensorInfo;
import io.edgecl.io.WeightFile;
import io.edgecl.models.KeyLayout;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Lists a weights file's tensors, its key layout and parameter count; optionally times full loads. */
@Command(
        name = "inspect",
        mixinStandardHelpOptions = true,
        description = "Show the tensors in a .safetensors or torch.save .pth file, the detected key layout "
                + "and the parameter count.")
public final class InspectCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FILE", description = "weights file (.safetensors or .pth)")
    Path file;

    @Option(names = "--json", description = "print one JSON object instead of a table")
    boolean json;

    @Option(
            names = "--key-format",
            defaultValue = "auto",
            paramLabel = "auto|timm|official|torchvision",
            description = "naming scheme of the tensors (default: ${DEFAULT-VALUE}, detected from the names)")
    String keyFormat;

    @Option(names = "--canonical", description = "list tensors under the canonical names the models use")
    boolean canonical;

    @Option(names = "--ema", description = "in training checkpoints, take the EMA weights")
    boolean ema;

    @Option(
            names = {"-m", "--model"},
            paramLabel = "NAME",
            description = "check that the file fits this registered model")
    String model;

    @Option(
            names = "--model-config",
            paramLabel = "FILE.json",
            description = "check that the file fits this model spec")
    java.nio.file.Path modelConfig;

    @Option(
            names = "--bench",
            paramLabel = "N",
            defaultValue = "0",
            description = "time N full loads (open + convert every tensor) and print min/median ms")
    int bench;

    private final PrintStream out;

    public InspectCommand() {
        this(System.out);
    }

    InspectCommand(PrintStream out) {
        this.out = out;
    }

    /** Buffers a BatchNorm keeps for inference bookkeeping rather than learning. */
    static boolean isBookkeeping(String key) {
        return key.endsWith("num_batches_tracked") || key.endsWith("running_mean") || key.endsWith("running_var");
    }

    @Override
    public Integer call() {
        JsonObject report = new JsonObject();
        try (WeightFile f = WeightFile.open(file, ema)) {
            Map<String, TensorInfo> tensors = f.tensors();
            KeyLayout layout = KeyLayout.resolve(keyFormat, tensors.keySet());
            Map<String, int[]> shapes = new java.util.LinkedHashMap<>();
            for (TensorInfo t : tensors.values()) {
                shapes.put(
                        t.key(),
                        Arrays.stream(t.shape()).mapToInt(Math::toIntExact).toArray());
            }
            // torchvision names are renamed as a whole (blocks regroup into stages), so all at once
            Map<String, String> names = canonical ? layout.canonicalNames(shapes) : null;
            String source = layout.describe(shapes);
            long params = 0;
            long buffers = 0;
            JsonArray list = new JsonArray();
            for (TensorInfo t : tensors.values()) {
                if (isBookkeeping(t.key())) buffers += t.numel();
                else params += t.numel();
                JsonObject o = new JsonObject();
                o.addProperty("name", canonical ? names.get(t.key()) : t.key());
                o.addProperty("dtype", t.dtype().name());
                JsonArray shape = new JsonArray();
                for (long d : t.shape()) shape.add(d);
                o.add("shape", shape);
                list.add(o);
            }
            report.addProperty("file", file.toString());
            report.addProperty("format", f.format());
            report.addProperty("key_layout", layout.name().toLowerCase());
            if (source != null) report.addProperty("source_model", source);
            report.addProperty("tensors", tensors.size());
            report.addProperty("parameters", params);
            report.addProperty("bn_buffers", buffers);
            JsonObject meta = new JsonObject();
            f.metadata().forEach(meta::addProperty);
            report.add("metadata", meta);
            report.add("tensor_list", list);
        }
        if (bench > 0) report.add("bench", bench());
        String misfit = null;
        if (model != null || modelConfig != null) {
            io.edgecl.models.VisionModel m = model != null
                    ? io.edgecl.models.Models.byName(model)
                    : io.edgecl.models.Models.fromFile(modelConfig);
            io.edgecl.models.Weights w = io.edgecl.models.ModelWeights.load(file, keyFormat);
            int size = m.preprocess().size();
            JsonObject fit = new JsonObject();
            fit.addProperty("model", m.name());
            try {
                m.build(w, 1, size, size);
                w.finish();
                fit.addProperty("fits", true);
                fit.addProperty("parameters", w.paramCount());
                // tensors the model leaves out on purpose (DeepLabV3's training-only aux_classifier)
                JsonObject skipped = new JsonObject();
                w.skippedKeys().forEach(skipped::addProperty);
                if (skipped.size() > 0) fit.add("skipped", skipped);
            } catch (io.edgecl.models.WeightMismatchException e) {
                misfit = e.getMessage();
                fit.addProperty("fits", false);
                fit.addProperty("problems", misfit);
            }
            report.add("model_check", fit);
        }
        if (json) {
            out.println(new GsonBuilder().setPrettyPrinting().create().toJson(report));
        } else {
            printTable(report);
            if (report.has("model_check")) {
                JsonObject fit = report.getAsJsonObject("model_check");
                out.println(
                        fit.get("fits").getAsBoolean()
                                ? "fits " + fit.get("model").getAsString()
                                        + ": every key present with the expected shape"
                                        + skippedNote(fit)
                                : "does not fit " + fit.get("model").getAsString() + ": " + misfit);
            }
        }
        out.flush();
        return misfit == null ? 0 : 2;
    }

    /** "; skips N tensors (why)" for the tensors the model leaves out, or "". */
    private static String skippedNote(JsonObject fit) {
        if (!fit.has("skipped")) return "";
        JsonObject sk = fit.getAsJsonObject("skipped");
        java.util.Set<String> why = new java.util.TreeSet<>();
        sk.entrySet().forEach(e -> why.add(e.getValue().getAsString()));
        return "; skips " + sk.size() + " tensor" + (sk.size() == 1 ? "" : "s") + " (" + String.join("; ", why) + ")";
    }

    private JsonObject bench() {
        double[] ms = new double[bench];
        long sink = 0;
        for (int i = 0; i < bench; i++) {
            long t0 = System.nanoTime();
            try (WeightFile f = WeightFile.open(file, ema)) {
                for (String k : f.tensors().keySet()) sink += f.read(k).numel();
            }
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        double[] sorted = ms.clone();
        Arrays.sort(sorted);
        JsonObject b = new JsonObject();
        b.addProperty("loads", bench);
        b.addProperty("min_ms", round(sorted[0]));
        b.addProperty("median_ms", round(sorted[bench / 2]));
        b.addProperty("first_ms", round(ms[0]));
        b.addProperty("elements_per_load", sink / bench);
        return b;
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    private void printTable(JsonObject r) {
        JsonArray list = r.getAsJsonArray("tensor_list");
        int w = 4;
        for (var e : list)
            w = Math.max(w, e.getAsJsonObject().get("name").getAsString().length());
        out.printf("%-" + w + "s  %-5s  %s%n", "name", "dtype", "shape");
        for (var e : list) {
            JsonObject o = e.getAsJsonObject();
            out.printf(
                    "%-" + w + "s  %-5s  %s%n",
                    o.get("name").getAsString(),
                    o.get("dtype").getAsString(),
                    o.get("shape").toString());
        }
        out.println();
        out.println("file:        " + r.get("file").getAsString());
        out.println("format:      " + r.get("format").getAsString());
        out.println("key layout:  " + r.get("key_layout").getAsString());
        if (r.has("source_model"))
            out.println("model:       " + r.get("source_model").getAsString());
        out.println("tensors:     " + r.get("tensors").getAsInt());
        out.printf("parameters:  %,d%n", r.get("parameters").getAsLong());
        out.printf(
                "bn buffers:  %,d (running_mean/running_var/num_batches_tracked, not counted above)%n",
                r.get("bn_buffers").getAsLong());
        JsonObject meta = r.getAsJsonObject("metadata");
        if (meta.size() > 0) out.println("metadata:    " + meta);
        if (r.has("bench")) {
            JsonObject b = r.getAsJsonObject("bench");
            out.printf(
                    "load bench:  %d full loads, min %.3f ms, median %.3f ms (first %.3f ms)%n",
                    b.get("loads").getAsInt(),
                    b.get("min_ms").getAsDouble(),
                    b.get("median_ms").getAsDouble(),
                    b.get("first_ms").getAsDouble());
        }
    }
}
