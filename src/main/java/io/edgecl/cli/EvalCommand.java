package io.edgecl.cli;

import com.google.gson.GsonBuilder;
import io.edgecl.EdgeClException;
import io.edgecl.api.Prediction;
import io.edgecl.api.Session;
import io.edgecl.io.OutputFiles;
import io.edgecl.io.image.ImageDecoder;
import io.edgecl.io.image.ImageFolder;
import io.edgecl.io.image.Labels;
import io.edgecl.io.image.Preprocessor;
import io.edgecl.models.VisionModel;
import io.edgecl.tensor.HostTensor;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code edgecl eval}: accuracy over a labelled image folder. Images decode and preprocess on
 * CPU threads ahead of the device, so the device does not wait for JPEG decoding.
 */
@Command(
        name = "eval",
        mixinStandardHelpOptions = true,
        description = "Top-1/top-5 and per-class accuracy over an ImageFolder tree (one sub-folder per class, "
                + "sorted by name) or a flat folder with --labels-file. With no model options, the demo model. "
                + "With a segmentation model (--task segmentation): mIoU, pixel accuracy and per-class IoU over a "
                + "folder in VOC's layout (JPEGImages/, SegmentationClass/ palette PNGs, 255 ignored, "
                + "ImageSets/Segmentation/SPLIT.txt when present).")
public final class EvalCommand extends SessionCommand {
    @Mixin
    ImageOptions imageOptions;

    @Option(
            names = {"--data", "--images"},
            required = true,
            paramLabel = "DIR",
            description = "The image folder (for --task detection, the images --annotations names).")
    Path data;

    @Option(
            names = "--labels-file",
            paramLabel = "FILE",
            description = "For a flat folder: lines 'FILE LABEL' " + "(LABEL a class index or name).")
    Path labelsFile;

    @Option(names = "--batch", defaultValue = "64", paramLabel = "B", description = "Images per forward (default: 64).")
    int batch;

    @Option(
            names = "--limit",
            paramLabel = "N",
            description = "Evaluate a sample of N images spread over every class " + "(seeded: see --seed).")
    Integer limit;

    @Option(
            names = "--seed",
            paramLabel = "S",
            defaultValue = "0",
            description = "Seed of the --limit sample (default: 0).")
    long seed;

    @Option(names = "--workers", paramLabel = "N", description = "Decoding threads (default: available cores).")
    Integer workers;

    @Option(
            names = "--save-predictions",
            paramLabel = "FILE.csv",
            description = "One row per image: file, label, " + "prediction, probability, top-5.")
    Path savePredictions;

    @Option(
            names = "--task",
            paramLabel = "T",
            description = "classification or segmentation (default: what the model does).")
    String task;

    @Option(
            names = "--split",
            defaultValue = "val",
            paramLabel = "NAME",
            description =
                    "Segmentation: the ImageSets/Segmentation/NAME.txt list, when the folder has one (default: val).")
    String split;

    @Option(
            names = "--annotations",
            paramLabel = "FILE",
            description = "Detection: COCO's instances JSON (images, annotations, categories).")
    Path annotations;

    @Option(names = "--json", description = "Machine-readable summary.")
    boolean json;

    @Option(names = "--no-progress", description = "No progress bar.")
    boolean noProgress;

    /** Running counts of one evaluation: accuracy overall and per class, errors, prediction rows. */
    private static final class Tally {
        final long[] perClassTotal, perClassTop1;
        long top1, top5, evaluated, forwardNs;
        final List<String> errors = new ArrayList<>();
        final List<String> rows = new ArrayList<>();

        Tally(int classes) {
            perClassTotal = new long[classes];
            perClassTop1 = new long[classes];
        }

        void score(ImageFolder.Item it, List<Prediction> p, boolean keepRow) {
            int label = it.label();
            evaluated++;
            perClassTotal[label]++;
            if (p.get(0).index() == label) {
                top1++;
                perClassTop1[label]++;
            }
            for (Prediction q : p) {
                if (q.index() == label) {
                    top5++;
                    break;
                }
            }
            if (keepRow) {
                StringBuilder t5 = new StringBuilder();
                for (Prediction q : p) t5.append(t5.length() == 0 ? "" : " ").append(q.index());
                rows.add(String.format(
                        Locale.ROOT,
                        "%s,%d,%d,%.6f,%s",
                        csv(it.file().toString()),
                        label,
                        p.get(0).index(),
                        p.get(0).probability(),
                        t5));
            }
        }
    }

    private record Dataset(ImageFolder folder, Labels labels, List<ImageFolder.Item> items) {}

    @Override
    public Integer call() throws Exception {
        if (batch <= 0) throw new EdgeClException("--batch must be positive, got " + batch);
        VisionModel model = "segmentation".equals(task)
                ? modelOptions.segmenterOrDemo()
                : "detection".equals(task) ? modelOptions.detectorOrDemo() : modelOptions.modelOrDemo();
        String t = task != null
                ? task
                : model.primaryOutput().equals("out")
                        ? "segmentation"
                        : model instanceof io.edgecl.models.Detector ? "detection" : "classification";
        switch (t) {
            case "classification" -> {
                if (!model.primaryOutput().equals("logits")) {
                    throw new EdgeClException(model.name() + " is not a classifier; use --task segmentation");
                }
            }
            case "segmentation" -> {
                if (!model.primaryOutput().equals("out")) {
                    throw new EdgeClException("--task segmentation needs a segmentation model, not " + model.name());
                }
                return segmentation(model);
            }
            case "detection" -> {
                if (!(model instanceof io.edgecl.models.Detector d)) {
                    throw new EdgeClException("--task detection needs a detection model, not " + model.name());
                }
                return detection(d);
            }
            default ->
                throw new EdgeClException("--task must be classification, segmentation or detection, got '" + t + "'");
        }
        Preprocessor pre = imageOptions.preprocessor(model);
        Dataset ds = dataset(model);
        long t0 = System.nanoTime();
        Tally tally = evaluate(model, pre, ds.items());
        double seconds = (System.nanoTime() - t0) / 1e9;
        if (tally.evaluated == 0) {
            throw new EdgeClException("no image of " + data + " could be read (" + tally.errors.size()
                    + " errors; first: " + (tally.errors.isEmpty() ? "none" : tally.errors.get(0)) + ")");
        }
        if (savePredictions != null) writeCsv(savePredictions, tally.rows);
        report(model, ds, tally, seconds);
        return 0;
    }

    /**
     * mIoU, pixel accuracy and per-class IoU over a VOC-layout folder: each image segmented as
     * {@code edgecl segment} does (scores resized back to the image), against its mask.
     */
    private int segmentation(VisionModel model) {
        List<io.edgecl.io.image.VocSegmentation.Item> items = io.edgecl.io.image.VocSegmentation.scan(data, split);
        if (limit != null) {
            if (limit <= 0) throw new EdgeClException("--limit must be positive, got " + limit);
            if (limit < items.size()) items = items.subList(0, limit);
        }
        Labels labels = imageOptions.labels(model);
        int shortSide = imageOptions.preprocess(model).size();
        io.edgecl.api.SegmentationMetrics m = new io.edgecl.api.SegmentationMetrics(model.numClasses());
        List<String> errors = new ArrayList<>();
        int done = 0;
        long t0 = System.nanoTime();
        try (Session s = Session.open(model, modelOptions.segmenterWeightsOrDemo(), sessionOptions())) {
            for (io.edgecl.io.image.VocSegmentation.Item it : items) {
                io.edgecl.io.image.RgbImage img;
                io.edgecl.io.image.VocSegmentation.Mask truth;
                try {
                    img = io.edgecl.io.image.ImageDecoder.decode(it.image());
                    truth = io.edgecl.io.image.VocSegmentation.readMask(it.mask());
                } catch (io.edgecl.io.image.ImageException e) {
                    errors.add(e.getMessage());
                    continue;
                }
                if (truth.width() != img.width() || truth.height() != img.height()) {
                    errors.add(it.mask() + " is " + truth.width() + "x" + truth.height() + " but its image is "
                            + img.width() + "x" + img.height());
                    continue;
                }
                m.add(s.segment(img, shortSide).classIndex(), truth.classes());
                done++;
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        if (done == 0) {
            throw new EdgeClException("no image of " + data + " could be evaluated (" + errors.size()
                    + " errors; first: " + (errors.isEmpty() ? "none" : errors.get(0)) + ")");
        }
        double[] iou = m.iou();
        long[] px = m.pixelsPerClass();
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("model", model.name());
        r.put("data", data.toString());
        r.put("task", "segmentation");
        r.put("images", done);
        r.put("errors", errors.size());
        r.put("miou", m.meanIou());
        r.put("pixel_accuracy", m.pixelAccuracy());
        r.put("images_per_s", done / seconds);
        List<Map<String, Object>> per = new ArrayList<>();
        for (int c = 0; c < iou.length; c++) {
            Map<String, Object> pc = new LinkedHashMap<>();
            pc.put("class", c);
            pc.put("label", labels.name(c));
            pc.put("pixels", px[c]);
            pc.put("iou", Double.isNaN(iou[c]) ? null : iou[c]);
            per.add(pc);
        }
        r.put("per_class", per);
        r.put("pixels_outside_the_classes", m.pixelsOutsideTheClasses());
        r.put("error_files", errors);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(new GsonBuilder()
                    .setPrettyPrinting()
                    .serializeNulls()
                    .create()
                    .toJson(r));
        } else {
            out.printf(Locale.ROOT, "%s on %s: %d images, %d errors%n", model.name(), data, done, errors.size());
            out.printf(Locale.ROOT, "  mIoU %.4f  pixel accuracy %.4f%n", m.meanIou(), m.pixelAccuracy());
            for (Map<String, Object> pc : per) {
                if (pc.get("iou") == null) continue;
                out.printf(
                        Locale.ROOT, "  %-20s IoU %.4f  (%d pixels)%n", pc.get("label"), (double) pc.get("iou"), (long)
                                pc.get("pixels"));
            }
            for (String e : errors) out.println("  error: " + e);
        }
        out.flush();
        return 0;
    }

    /**
     * COCO's box AP and AR (as pycocotools computes them) of the model's detections on the images
     * of --annotations, each detected as {@code edgecl detect} does with the model's own thresholds.
     */
    private int detection(io.edgecl.models.Detector model) {
        if (annotations == null) throw new EdgeClException("--task detection needs --annotations instances.json");
        io.edgecl.io.CocoAnnotations ann = io.edgecl.io.CocoAnnotations.read(annotations);
        List<io.edgecl.io.CocoAnnotations.Image> images = ann.images();
        if (limit != null) {
            if (limit <= 0) throw new EdgeClException("--limit must be positive, got " + limit);
            if (limit < images.size()) images = images.subList(0, limit);
        }
        List<io.edgecl.api.CocoEval.Truth> truths = new ArrayList<>();
        java.util.Set<Long> kept = new java.util.HashSet<>();
        for (var im : images) kept.add(im.id());
        for (var a : ann.annotations()) {
            if (kept.contains(a.image()))
                truths.add(new io.edgecl.api.CocoEval.Truth(a.image(), a.category(), a.box(), a.area(), a.crowd()));
        }
        List<io.edgecl.api.CocoEval.Detection> dets = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        int size = model.inputSize(), done = 0;
        long t0 = System.nanoTime();
        try (Session s = Session.open(model, modelOptions.detectorWeightsOrDemo(), sessionOptions())) {
            for (var im : images) {
                io.edgecl.io.image.RgbImage img;
                try {
                    img = io.edgecl.io.image.ImageDecoder.decode(data.resolve(im.file()));
                } catch (io.edgecl.io.image.ImageException e) {
                    errors.add(e.getMessage());
                    continue;
                }
                var d = s.detect(img);
                for (int i = 0; i < d.size(); i++) {
                    float[] b = d.boxes()[i];
                    dets.add(new io.edgecl.api.CocoEval.Detection(
                            im.id(),
                            model.categoryId(d.labels()[i]),
                            new double[] {b[0], b[1], b[2] - b[0], b[3] - b[1]},
                            d.scores()[i]));
                }
                done++;
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        if (done == 0) {
            throw new EdgeClException("no image of " + data + " could be evaluated (" + errors.size()
                    + " errors; first: " + (errors.isEmpty() ? "none" : errors.get(0)) + ")");
        }
        io.edgecl.api.CocoEval.Summary sum = io.edgecl.api.CocoEval.evaluate(truths, dets);
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("model", model.name());
        r.put("annotations", annotations.toString());
        r.put("task", "detection");
        r.put("images", done);
        r.put("errors", errors.size());
        r.put("map", sum.ap());
        r.put("map_50", sum.ap50());
        r.put("map_75", sum.ap75());
        r.put("map_small", sum.apSmall());
        r.put("map_medium", sum.apMedium());
        r.put("map_large", sum.apLarge());
        r.put("mar_1", sum.ar1());
        r.put("mar_10", sum.ar10());
        r.put("mar_100", sum.ar100());
        r.put("images_per_s", done / seconds);
        Map<String, Object> per = new LinkedHashMap<>();
        sum.apPerCategory().forEach((k, v) -> per.put(ann.categoryName(k), Double.isNaN(v) ? null : v));
        r.put("ap_per_category", per);
        r.put("error_files", errors);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(new GsonBuilder()
                    .setPrettyPrinting()
                    .serializeNulls()
                    .create()
                    .toJson(r));
        } else {
            out.printf(Locale.ROOT, "%s on %s: %d images, %d errors%n", model.name(), annotations, done, errors.size());
            out.printf(
                    Locale.ROOT, "  mAP@[.5:.95] %.4f  mAP@.5 %.4f  mAP@.75 %.4f%n", sum.ap(), sum.ap50(), sum.ap75());
            out.printf(
                    Locale.ROOT,
                    "  mAP small %.4f  medium %.4f  large %.4f (-1: no ground truth of that size)%n",
                    sum.apSmall(),
                    sum.apMedium(),
                    sum.apLarge());
            out.printf(Locale.ROOT, "  mAR@1 %.4f  mAR@10 %.4f  mAR@100 %.4f%n", sum.ar1(), sum.ar10(), sum.ar100());
            for (String e : errors) out.println("  error: " + e);
        }
        out.flush();
        return 0;
    }

    /** The image folder with its labels (folder names or --labels-file), sampled down to --limit. */
    private Dataset dataset(VisionModel model) {
        Labels labels;
        ImageFolder ds;
        if (labelsFile != null) {
            labels = imageOptions.labels(model);
            ds = ImageFolder.withLabelsFile(data, labelsFile, labels.names());
        } else {
            ds = ImageFolder.scan(data);
            labels = imageOptions.labels(model, ds.classes());
        }
        if (ds.classes().size() > model.numClasses()) {
            throw new EdgeClException(data + " has " + ds.classes().size() + " class folders but " + model.name()
                    + " predicts " + model.numClasses() + " classes");
        }
        List<ImageFolder.Item> items = ds.items();
        if (limit != null) {
            if (limit <= 0) throw new EdgeClException("--limit must be positive, got " + limit);
            items = ImageFolder.sample(items, limit, seed);
        }
        return new Dataset(ds, labels, items);
    }

    /** Decodes on worker threads, a few batches ahead, while the device runs the current batch. */
    private Tally evaluate(VisionModel model, Preprocessor pre, List<ImageFolder.Item> items) throws Exception {
        int n = items.size();
        PrintWriter err = spec.commandLine().getErr();
        int classes = model.numClasses();
        Tally tally = new Tally(classes);
        ProgressBar bar = noProgress || json ? null : ProgressBars.bar("eval", n);
        try (DecodeAhead<ImageFolder.Item> ahead =
                        new DecodeAhead<>(items, it -> ImageDecoder.decode(it.file()), pre, batch, workers);
                Session s = Session.open(model, modelOptions.weightsOrDemo(), sessionOptions())) {
            boolean warnedSize = false;
            while (ahead.hasNext()) {
                List<DecodeAhead.Decoded<ImageFolder.Item>> ok = new ArrayList<>();
                for (DecodeAhead.Decoded<ImageFolder.Item> d : ahead.nextChunk()) {
                    if (!warnedSize && d.error() == null) {
                        warnedSize = true;
                        warnIfUpsampled(err, d.width(), d.height(), pre, model);
                    }
                    if (d.error() != null) {
                        tally.errors.add(d.item().file() + ": " + d.error());
                        if (bar != null) bar.step();
                        else if (!json)
                            err.println("edgecl: skipping " + d.item().file() + ": " + d.error());
                    } else {
                        ok.add(d);
                    }
                }
                if (ok.isEmpty()) continue;
                List<HostTensor> ts = new ArrayList<>();
                for (DecodeAhead.Decoded<ImageFolder.Item> d : ok) ts.add(d.tensor());
                long d0 = System.nanoTime();
                HostTensor logits = s.run(Preprocessor.stack(ts)).logits();
                tally.forwardNs += System.nanoTime() - d0;
                List<List<Prediction>> preds = Prediction.topk(logits, Math.min(5, classes));
                for (int i = 0; i < ok.size(); i++)
                    tally.score(ok.get(i).item(), preds.get(i), savePredictions != null);
                if (bar != null) bar.stepBy(ok.size());
            }
        } finally {
            if (bar != null) bar.close();
        }
        return tally;
    }

    private void report(VisionModel model, Dataset ds, Tally t, double seconds) {
        List<EvalReport.PerClass> per = new ArrayList<>();
        for (int c = 0; c < ds.folder().classes().size(); c++) {
            per.add(new EvalReport.PerClass(
                    ds.folder().classes().get(c), ds.labels().name(c), t.perClassTotal[c], t.perClassTop1[c]));
        }
        new EvalReport(
                        model.name(),
                        data.toString(),
                        t.evaluated,
                        t.errors,
                        t.top1,
                        t.top5,
                        model.numClasses() >= 5,
                        t.evaluated / seconds,
                        t.forwardNs / 1e9 / seconds,
                        null,
                        per)
                .print(spec.commandLine().getOut(), json);
    }

    /**
     * A model's input several times larger than the images (a 32x32 image upsampled to 256) is
     * almost always a forgotten --size: say so once, before the accuracy looks like a broken model.
     */
    static void warnIfUpsampled(PrintWriter err, int width, int height, Preprocessor pre, VisionModel model) {
        int shortSide = Math.min(width, height);
        if (shortSide > 0 && 2L * shortSide <= Math.min(pre.width(), pre.height())) {
            err.printf(
                    Locale.ROOT,
                    "edgecl: warning: the images are %dx%d but %s takes %dx%d, so each is upsampled "
                            + "%.1fx; if the model was trained at the images' size, give --size %d --crop-pct 1.0 "
                            + "(or input_size and crop_pct in its spec)%n",
                    width,
                    height,
                    model.name(),
                    pre.width(),
                    pre.height(),
                    pre.width() / (double) shortSide,
                    shortSide);
            err.flush();
        }
    }

    private static String csv(String s) {
        return s.contains(",") || s.contains("\"") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }

    private static void writeCsv(Path file, List<String> rows) {
        StringBuilder b = new StringBuilder("file,label,prediction,probability,top5\n");
        for (String r : rows) b.append(r).append('\n');
        OutputFiles.writeString(file, b);
    }
}
