package io.edgecl.cli;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import io.edgecl.EdgeClException;
import io.edgecl.api.Session;
import io.edgecl.io.OutputFiles;
import io.edgecl.io.image.ImageDecoder;
import io.edgecl.io.image.ImageSources;
import io.edgecl.io.image.Labels;
import io.edgecl.io.image.MaskImages;
import io.edgecl.io.image.RgbImage;
import io.edgecl.models.Detector;
import io.edgecl.models.SsdPostprocess;
import io.edgecl.models.VisionModel;
import java.awt.image.BufferedImage;
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

/**
 * {@code edgecl detect}: boxes with labels and scores, as the detector's upstream gives them
 * (torchvision's SSDLite or ml-cvnets' SSD: its transform, head, anchors, decoding and class-wise
 * NMS), mapped back to each image's pixels. With no model options, the embedded demo detector.
 */
@Command(
        name = "detect",
        mixinStandardHelpOptions = true,
        description = "Detect objects in images (" + ImageDecoder.FORMAT_NAMES + "): files, folders or - (standard "
                + "input). Prints each box with its label and score; with --out, writes NAME.detections.json (COCO "
                + "results: category_id, bbox [x, y, width, height], score) and NAME.boxes.png. With no model options, "
                + "the embedded demo detector (Fashion-MNIST items on synthetic scenes); otherwise a detection model, "
                + "e.g. -m ssdlite320_mobilenet_v3_large or -m ssd_mobilevit_xs with -w.")
public final class DetectCommand extends SessionCommand {
    @Option(
            names = "--score",
            defaultValue = "0.3",
            paramLabel = "S",
            description = "Smallest score shown and written (default: 0.3; the model keeps its own threshold too).")
    double score;

    @Mixin
    ImageOutputs outputs;

    @Override
    public Integer call() throws Exception {
        if (!(score >= 0 && score <= 1)) throw new EdgeClException("--score must be in [0, 1], got " + score);
        VisionModel m = modelOptions.detectorOrDemo();
        if (!(m instanceof Detector model)) {
            throw new EdgeClException(m.name() + " is not a detection model; detect needs one "
                    + "(ssdlite320_mobilenet_v3_large, or a spec with \"family\": \"detection\")");
        }
        Labels labels = outputs.labels(model);
        List<ImageSources.Source> sources = outputs.prepare("detect", SUFFIXES);
        PrintWriter pw = spec.commandLine().getOut();
        Gson gson = new GsonBuilder().disableHtmlEscaping().create();
        List<String> failed = new ArrayList<>();
        int size = model.inputSize();
        boolean warnedFonts = false;
        try (Session s = Session.open(model, modelOptions.detectorWeightsOrDemo(), sessionOptions())) {
            for (ImageSources.Source src : sources) {
                RgbImage img = ImageOutputs.decodeOrSkip(
                        src, failed, spec.commandLine().getErr());
                if (img == null) continue;
                long t0 = System.nanoTime();
                SsdPostprocess.Detections d = s.detect(img);
                double ms = (System.nanoTime() - t0) / 1e6;
                List<Map<String, Object>> shown = new ArrayList<>();
                List<MaskImages.Box> boxes = new ArrayList<>();
                for (int i = 0; i < d.size(); i++) {
                    if (d.scores()[i] < score) continue;
                    int label = d.labels()[i];
                    String name = labels != null && label < labels.size() ? labels.name(label) : String.valueOf(label);
                    float[] b = d.boxes()[i];
                    Map<String, Object> o = new LinkedHashMap<>();
                    o.put("label", label);
                    o.put("name", name);
                    o.put("score", d.scores()[i]);
                    o.put("box", List.of(b[0], b[1], b[2], b[3]));
                    shown.add(o);
                    boxes.add(new MaskImages.Box(
                            b[0], b[1], b[2], b[3], String.format(Locale.ROOT, "%s %.2f", name, d.scores()[i]), label));
                }
                if (outputs.out != null) {
                    List<Path> files = outputs.files(src, SUFFIXES);
                    writeCoco(files.get(0), src.name(), shown, model, gson);
                    BufferedImage[] drawn = new BufferedImage[1];
                    boolean captions = MaskImages.drawBoxes(img, boxes, drawn);
                    if (!captions && !warnedFonts) {
                        spec.commandLine()
                                .getErr()
                                .println("edgecl: no fonts on this machine; boxes are drawn without "
                                        + "captions (install fonts-dejavu-core for them)");
                        warnedFonts = true;
                    }
                    MaskImages.writePng(drawn[0], files.get(1));
                }
                report(pw, gson, src.name(), model, img, ms, shown);
                pw.flush();
            }
        }
        ImageOutputs.finish(failed, sources.size());
        return 0;
    }

    /** NAME.detections.json and NAME.boxes.png in --out. */
    private static final String[] SUFFIXES = {".detections.json", ".boxes.png"};

    /** COCO's results format: one object per box, bbox as [x, y, width, height], the label as COCO's id. */
    private static void writeCoco(Path file, String image, List<Map<String, Object>> shown, Detector model, Gson gson) {
        List<Map<String, Object>> res = new ArrayList<>();
        for (Map<String, Object> o : shown) {
            @SuppressWarnings("unchecked")
            List<Float> b = (List<Float>) o.get("box");
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("image_id", image);
            c.put("category_id", model.categoryId((int) o.get("label")));
            c.put("bbox", List.of(b.get(0), b.get(1), b.get(2) - b.get(0), b.get(3) - b.get(1)));
            c.put("score", o.get("score"));
            res.add(c);
        }
        OutputFiles.writeString(file, gson.toJson(res) + "\n");
    }

    private void report(
            PrintWriter pw,
            Gson gson,
            String image,
            VisionModel model,
            RgbImage img,
            double ms,
            List<Map<String, Object>> shown) {
        if (outputs.json) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("image", image);
            r.put("model", model.name());
            r.put("width", img.width());
            r.put("height", img.height());
            r.put("latency_ms", ms);
            r.put("detections", shown);
            pw.println(gson.toJson(r));
            return;
        }
        pw.printf(
                Locale.ROOT,
                "%s: %dx%d, %d detections at score >= %.2f, %.2f ms%n",
                image,
                img.width(),
                img.height(),
                shown.size(),
                score,
                ms);
        for (Map<String, Object> o : shown) {
            @SuppressWarnings("unchecked")
            List<Float> b = (List<Float>) o.get("box");
            pw.printf(
                    Locale.ROOT,
                    "  %-16s %.3f  [%.1f, %.1f, %.1f, %.1f]%n",
                    o.get("name"),
                    (float) o.get("score"),
                    b.get(0),
                    b.get(1),
                    b.get(2),
                    b.get(3));
        }
    }
}
