package io.edgecl.cli;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import io.edgecl.EdgeClException;
import io.edgecl.api.SegmentationMask;
import io.edgecl.api.Session;
import io.edgecl.io.image.ImageDecoder;
import io.edgecl.io.image.ImageSources;
import io.edgecl.io.image.Labels;
import io.edgecl.io.image.MaskImages;
import io.edgecl.io.image.Preprocess;
import io.edgecl.io.image.RgbImage;
import io.edgecl.models.Models;
import io.edgecl.models.VisionModel;
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
 * {@code edgecl segment}: the class of every pixel, with torchvision's segmentation preprocessing
 * (the short side resized to --size, 520 by default, the aspect ratio kept, ImageNet mean and
 * std). The dense scores are resized back to the image's own size before each pixel takes its best
 * class.
 */
@Command(
        name = "segment",
        mixinStandardHelpOptions = true,
        description = "Segment images (" + ImageDecoder.FORMAT_NAMES + "): files, folders or - (standard input). "
                + "Prints the classes found and their share of the pixels; with --out, writes NAME.mask.png (class "
                + "indices in VOC's palette, as VOC's SegmentationClass files) and NAME.overlay.png. With no "
                + "-m/--model-config/-w, the embedded demo segmenter (LR-ASPP trained on scenes of Fashion-MNIST "
                + "items); else a segmentation model (lraspp_mobilenet_v3_large, deeplabv3_mobilenet_v3_large).")
public final class SegmentCommand extends SessionCommand {
    @Option(
            names = "--size",
            paramLabel = "S",
            description = "Short side the image is resized to before the model (default: the model's, 520).")
    Integer size;

    @Mixin
    ImageOutputs outputs;

    @Override
    public Integer call() throws Exception {
        VisionModel model = modelOptions.segmenterOrDemo();
        if (!model.primaryOutput().equals("out")) {
            throw new EdgeClException(model.name() + " is a classifier; segment needs a segmentation model ("
                    + String.join(", ", Models.segmentationNames()) + ")");
        }
        Preprocess p = model.preprocess();
        int shortSide = size != null ? size : p.size();
        if (shortSide < 1 || shortSide > 8192) throw new EdgeClException("--size must be in 1..8192, got " + shortSide);
        Labels labels = outputs.labels(model);
        List<ImageSources.Source> sources = outputs.prepare("segment", SUFFIXES);
        PrintWriter pw = spec.commandLine().getOut();
        Gson gson = new GsonBuilder().disableHtmlEscaping().create();
        List<String> failed = new ArrayList<>();
        java.util.Set<String> warmed = new java.util.HashSet<>();
        try (Session s = Session.open(model, modelOptions.segmenterWeightsOrDemo(), sessionOptions())) {
            for (ImageSources.Source src : sources) {
                RgbImage img = ImageOutputs.decodeOrSkip(
                        src, failed, spec.commandLine().getErr());
                if (img == null) continue;
                int[] wh = model.segmentationInput(img.width(), img.height(), shortSide);
                // the first image of a size builds its plan: time a second, warm run as the latency
                if (warmed.add(wh[0] + "x" + wh[1])) s.segment(img, shortSide);
                long t0 = System.nanoTime();
                SegmentationMask mask = s.segment(img, shortSide);
                double ms = (System.nanoTime() - t0) / 1e6;
                List<Path> files = outputs.files(src, SUFFIXES);
                if (outputs.out != null) {
                    MaskImages.writePng(
                            MaskImages.palette(mask.classIndex(), mask.width(), mask.height()), files.get(0));
                    MaskImages.writePng(MaskImages.overlay(img, mask.classIndex()), files.get(1));
                }
                report(pw, gson, src.name(), model, img, wh, ms, mask, labels, files);
                pw.flush();
            }
        }
        ImageOutputs.finish(failed, sources.size());
        return 0;
    }

    /** NAME.mask.png and NAME.overlay.png in --out. */
    private static final String[] SUFFIXES = {".mask.png", ".overlay.png"};

    private void report(
            PrintWriter pw,
            Gson gson,
            String image,
            VisionModel model,
            RgbImage img,
            int[] modelSize,
            double ms,
            SegmentationMask mask,
            Labels labels,
            List<Path> files) {
        long[] hist = mask.histogram();
        long total = (long) mask.width() * mask.height();
        List<Map<String, Object>> classes = new ArrayList<>();
        for (int k = 0; k < hist.length; k++) {
            if (hist[k] == 0) continue;
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("index", k);
            c.put("label", labels != null && k < labels.size() ? labels.name(k) : String.valueOf(k));
            c.put("pixels", hist[k]);
            c.put("fraction", (double) hist[k] / total);
            classes.add(c);
        }
        classes.sort((a, b) -> Long.compare((long) b.get("pixels"), (long) a.get("pixels")));
        if (outputs.json) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("image", image);
            r.put("model", model.name());
            r.put("width", img.width());
            r.put("height", img.height());
            r.put("model_input", List.of(modelSize[1], modelSize[0]));
            r.put("latency_ms", ms);
            r.put("classes", classes);
            if (!files.isEmpty()) {
                r.put("mask", files.get(0).toString());
                r.put("overlay", files.get(1).toString());
            }
            pw.println(gson.toJson(r));
            return;
        }
        pw.printf(
                Locale.ROOT,
                "%s: %dx%d, model input %dx%d, %.2f ms%n",
                image,
                img.width(),
                img.height(),
                modelSize[0],
                modelSize[1],
                ms);
        for (Map<String, Object> c : classes) {
            pw.printf(Locale.ROOT, "  %5.1f%%  %s (%d)%n", 100 * (double) c.get("fraction"), c.get("label"), (int)
                    c.get("index"));
        }
        if (!files.isEmpty()) pw.printf(Locale.ROOT, "  wrote %s, %s%n", files.get(0), files.get(1));
    }
}
