package io.edgecl.cli;

import com.google.gson.GsonBuilder;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * An ImageFolder evaluation's figures as {@code eval} prints them (text, or one JSON object), for
 * every runner that evaluates a folder: {@code edgecl eval} and the Spark job.
 *
 * @param images images evaluated (read and classified)
 * @param errors "FILE: reason" for each image that could not be read
 * @param top1 images whose top class was right
 * @param top5 images whose class was among the top 5
 * @param hasTop5 whether the model has 5 classes or more (top-5 is null otherwise)
 * @param forwardShare the share of the time in forwards; null where the runner does not know it
 * @param speedNote what images/s measures, printed when {@code forwardShare} is null
 */
public record EvalReport(
        String model,
        String data,
        long images,
        List<String> errors,
        long top1,
        long top5,
        boolean hasTop5,
        double imagesPerSecond,
        Double forwardShare,
        String speedNote,
        List<PerClass> perClass) {

    /** One class folder: its name, its label, images evaluated and top-1 hits. */
    public record PerClass(String folder, String label, long images, long top1) {}

    public double top1Accuracy() {
        return top1 / (double) images;
    }

    public double top5Accuracy() {
        return top5 / (double) images;
    }

    public void print(PrintWriter out, boolean json) {
        List<Map<String, Object>> per = new ArrayList<>();
        for (PerClass pc : perClass) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("class", pc.folder());
            m.put("label", pc.label());
            m.put("images", pc.images());
            m.put("top1", pc.images() == 0 ? null : pc.top1() / (double) pc.images());
            per.add(m);
        }
        if (json) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("model", model);
            r.put("data", data);
            r.put("images", images);
            r.put("errors", errors.size());
            r.put("top1", top1Accuracy());
            r.put("top5", hasTop5 ? top5Accuracy() : null);
            r.put("images_per_s", imagesPerSecond);
            if (forwardShare != null) r.put("forward_share", forwardShare);
            r.put("per_class", per);
            r.put("error_files", errors);
            out.println(new GsonBuilder()
                    .setPrettyPrinting()
                    .serializeNulls()
                    .create()
                    .toJson(r));
        } else {
            out.printf(Locale.ROOT, "%s on %s: %d images, %d errors%n", model, data, images, errors.size());
            out.printf(Locale.ROOT, "  top-1 %.4f  (%d/%d)%n", top1Accuracy(), top1, images);
            if (hasTop5) out.printf(Locale.ROOT, "  top-5 %.4f  (%d/%d)%n", top5Accuracy(), top5, images);
            if (forwardShare != null) {
                out.printf(
                        Locale.ROOT,
                        "  %.1f images/s (%.0f%% of the time in forwards)%n",
                        imagesPerSecond,
                        100 * forwardShare);
            } else {
                out.printf(Locale.ROOT, "  %.1f images/s (%s)%n", imagesPerSecond, speedNote);
            }
            out.println("  per class:");
            for (Map<String, Object> pc : per) {
                out.printf(
                        Locale.ROOT,
                        "    %-24s %6d images  top-1 %s%n",
                        pc.get("class"),
                        pc.get("images"),
                        pc.get("top1") == null ? "-" : String.format(Locale.ROOT, "%.4f", pc.get("top1")));
            }
            for (String e : errors) out.println("  error: " + e);
        }
        out.flush();
    }
}
