package io.edgecl.models;

import com.google.gson.JsonObject;
import io.edgecl.graph.AnchorConcatOp;
import io.edgecl.graph.Block;
import io.edgecl.graph.Graph;
import io.edgecl.graph.HostOps;
import io.edgecl.graph.Value;
import io.edgecl.io.image.Preprocess;
import io.edgecl.io.image.RgbImage;
import io.edgecl.ops.Act;
import io.edgecl.tensor.HostTensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * torchvision's {@code ssdlite320_mobilenet_v3_large} under torchvision's names, so its COCO
 * checkpoint loads as it is: MobileNetV3-Large (reduced tail, as the published weights) cut at
 * the expansion of its C4 block (stride 16) and at its last conv (stride 32), four extra blocks
 * (1x1, depthwise 3x3 stride 2, 1x1, ReLU6) down to 1x1, and at each of the six levels a
 * depthwise 3x3 + 1x1 predictor of box offsets and class logits for 6 anchors per location.
 * The graph outputs the head's {@code bbox_regression} [N, anchors, 4] and {@code cls_logits}
 * [N, anchors, classes]; {@link SsdPostprocess} turns them into boxes as torchvision's
 * {@code postprocess_detections} does.
 */
public final class Detectors extends Network implements Detector {
    /** Registered names and their constructor arguments. */
    public static final Map<String, String> VARIANTS = Models.ordered(
            "ssdlite320_mobilenet_v3_large",
            "{\"head\": \"ssdlite\", \"backbone\": \"mobilenet_v3_large\", \"num_classes\": 91}",
            // ml-cvnets' COCO detectors (CvnetsSsd), as Apple publishes them
            "ssd_mobilevit_xxs",
            cvnets("mobilevit_xxs"),
            "ssd_mobilevit_xs",
            cvnets("mobilevit_xs"),
            "ssd_mobilevit_s",
            cvnets("mobilevit_s"));

    private static String cvnets(String backbone) {
        return "{\"head\": \"ssd\", \"backbone\": {\"model\": \"" + backbone + "\"}, \"num_classes\": 81}";
    }

    /** The extra blocks' output channels (torchvision's get_depth(512, 256, 256, 128) at width 1). */
    private static final int[] EXTRA = {512, 256, 256, 128};

    private final TorchvisionMobileNetV3 backbone;
    private final SsdPostprocess post;
    private final int size;
    /** Class names the model brings (a trained demo), or null. */
    private final List<String> names;

    private Detectors(
            String name,
            TorchvisionMobileNetV3 backbone,
            int numClasses,
            int size,
            SsdPostprocess post,
            List<String> names) {
        super(name, "detection", numClasses);
        this.backbone = backbone;
        this.size = size;
        this.post = post;
        this.names = names;
        this.anchors = anchors(size, size);
    }

    /** This model under another name with its own class names (the embedded demo detector). */
    Detectors as(String name, List<String> labels) {
        if (labels.size() != numClasses()) {
            throw new ModelSpecException(name + ": " + labels.size() + " labels for " + numClasses() + " classes");
        }
        return new Detectors(name, backbone, numClasses(), size, post, List.copyOf(labels));
    }

    /** The anchors of the model's input size, computed once. */
    private final float[][] anchors;

    /**
     * Image {@code image}'s detections from the head's outputs ({@link #headOutputs}, as a run at
     * the model's input size gives them), mapped to an image of {@code imageH} × {@code imageW}.
     */
    @Override
    public SsdPostprocess.Detections detections(Map<String, HostTensor> head, int image, int imageH, int imageW) {
        return post.detect(head.get(BOXES), head.get(LOGITS), anchors, image, size, size, imageH, imageW);
    }

    /**
     * A model from its constructor arguments under torchvision's names: backbone, width_mult,
     * reduced_tail (true, as the COCO weights), num_classes (91: COCO's ids with background),
     * score_thresh, nms_thresh, detections_per_img, topk_candidates, size (320). A backbone given
     * as {"model": a registered MobileViT} with head "ssd" is ml-cvnets' SSD ({@link CvnetsSsd}).
     */
    public static VisionModel fromJson(String name, JsonObject json) {
        SpecReader r = new SpecReader(json, "detection");
        r.ignore("task");
        if (json.has("backbone") && json.get("backbone").isJsonObject()) {
            // {"backbone": {"model": "mobilevit_xxs"}}: ml-cvnets' SSD on that model
            r.ignore("backbone");
            r.string("head", "ssd", "ssd", "ssdlite");
            return CvnetsSsd.fromJson(name, r, json.getAsJsonObject("backbone"));
        }
        r.string("head", "ssdlite", "ssdlite");
        String arch = r.string("backbone", "mobilenet_v3_large", "mobilenet_v3_large", "mobilenet_v3_small");
        double wm = r.number("width_mult", 1.0);
        boolean reducedTail = r.bool("reduced_tail", true);
        int classes = r.integer("num_classes", 91);
        double score = r.number("score_thresh", 0.001);
        double nms = r.number("nms_thresh", 0.55);
        int perImage = r.integer("detections_per_img", 300);
        int topk = r.integer("topk_candidates", 300);
        int size = r.integer("size", 320);
        r.finish();
        if (classes < 2) throw new ModelSpecException("detection configuration: 'num_classes' must be at least 2");
        if (perImage < 1 || topk < 1) {
            throw new ModelSpecException(
                    "detection configuration: 'detections_per_img' and 'topk_candidates' must be positive");
        }
        if (!(score >= 0 && score < 1) || !(nms > 0 && nms <= 1)) {
            throw new ModelSpecException(
                    "detection configuration: 'score_thresh' must be in [0, 1) and 'nms_thresh' in (0, 1]");
        }
        if (size < 32 || size > 4096)
            throw new ModelSpecException("detection configuration: 'size' must be in 32..4096");
        return new Detectors(
                name != null ? name : "custom detection",
                new TorchvisionMobileNetV3(arch, wm, reducedTail, false),
                classes,
                size,
                new SsdPostprocess(classes, (float) score, (float) nms, perImage, topk),
                null);
    }

    /** What turns the head's outputs into boxes. */
    public SsdPostprocess postprocess() {
        return post;
    }

    /**
     * The six feature maps' sizes ({h, w}) for an input of h × w: every stride-2 conv of the
     * network (3x3 or 5x5, padding (k - 1) / 2) gives ceil(in / 2); the first level is at stride
     * 16, the second at 32, the extra blocks halve it four more times.
     */
    public static List<int[]> grids(int h, int w) {
        List<int[]> g = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            h = (h + 1) / 2;
            w = (w + 1) / 2;
        }
        for (int level = 0; level < 6; level++) {
            g.add(new int[] {h, w});
            h = (h + 1) / 2;
            w = (w + 1) / 2;
        }
        return g;
    }

    /** The anchors of an input of h × w, in the head's order ({@link SsdPostprocess#anchors}). */
    public static float[][] anchors(int h, int w) {
        return SsdPostprocess.anchors(grids(h, w), h, w);
    }

    /** The square input the model runs at (torchvision's fixed_size). */
    @Override
    public int inputSize() {
        return size;
    }

    /** torchvision's transform: [0, 1] → (x - 0.5) / 0.5, then resized to size × size. */
    @Override
    public Preprocess preprocess() {
        return new Preprocess(size, 1.0, "bilinear", new float[] {0.5f, 0.5f, 0.5f}, new float[] {0.5f, 0.5f, 0.5f});
    }

    /**
     * The model input for an image as torchvision's GeneralizedRCNNTransform makes it: scaled to
     * [0, 1], normalised, then resized by bilinear interpolation of the normalised floats
     * (align_corners false, no antialiasing) to size × size. NCHW [1, 3, size, size].
     */
    @Override
    public HostTensor transform(RgbImage image) {
        int h = image.height(), w = image.width();
        double[] nhwc = new double[h * w * 3];
        byte[] rgb = image.rgb();
        for (int i = 0; i < nhwc.length; i++) {
            float v = (rgb[i] & 0xFF) / 255f;
            nhwc[i] = (v - 0.5f) / 0.5f;
        }
        return resized(nhwc, h, w);
    }

    /** {@link #transform} of an image already scaled to [0, 1], NCHW [1, 3, h, w]. */
    public HostTensor transform(HostTensor image01) {
        int[] s = image01.shape();
        int h = s[2], w = s[3], plane = h * w;
        double[] nhwc = new double[plane * 3];
        float[] d = image01.data();
        for (int c = 0; c < 3; c++) for (int p = 0; p < plane; p++) nhwc[p * 3 + c] = (d[c * plane + p] - 0.5f) / 0.5f;
        return resized(nhwc, h, w);
    }

    private HostTensor resized(double[] nhwc, int h, int w) {
        double[] r = HostOps.resizeBilinear(nhwc, 1, h, w, 3, size, size, false);
        float[] out = new float[3 * size * size];
        for (int c = 0; c < 3; c++)
            for (int p = 0; p < size * size; p++) out[c * size * size + p] = (float) r[p * 3 + c];
        return new HostTensor(new int[] {1, 3, size, size}, out);
    }

    @Override
    public List<String> labels() {
        if (names != null) return names;
        return numClasses() == SsdPostprocess.COCO_CATEGORIES.size() ? SsdPostprocess.COCO_CATEGORIES : null;
    }

    @Override
    public List<String> featureNames() {
        List<String> f = new ArrayList<>();
        for (int i = 0; i < 6; i++) f.add("features." + i);
        return f;
    }

    @Override
    public void checkInput(int channels, int h, int w) {
        if (channels != 3) throw new ModelSpecException(name() + " takes 3-channel input, got " + channels);
        if (h < 32 || w < 32) {
            throw new ModelSpecException(name() + " needs an input of at least 32x32 (its extra blocks halve the "
                    + "stride-32 map four times), got " + h + "x" + w);
        }
    }

    @Override
    public String canonicalKeyFormat() {
        return "torchvision";
    }

    @Override
    public Graph build(Weights w, int batch, int h, int wd) {
        checkInput(3, h, wd);
        Graph g = new Graph();
        Value x = g.input("input", batch, h, wd, 3);
        List<Integer> stages = backbone.stageIndices();
        int c4 = stages.get(stages.size() - 2);
        List<Value> f = backbone.build(
                g,
                w,
                i -> i < c4
                        ? "backbone.features.0." + i
                        : i == c4 ? "backbone.features.0." + i : "backbone.features.1." + (i - c4),
                x,
                backbone.featureCount() - 1,
                c4,
                // a slice of a Sequential keeps its modules' numbers: block[1:] starts at 1
                m -> m == 0 ? "backbone.features.0." + c4 : "backbone.features.1.0." + m);
        // the C4 expansion sits just before C4's own output in the list; the last conv is last
        List<Value> levels = new ArrayList<>();
        levels.add(f.get(c4));
        levels.add(f.get(f.size() - 1));
        Value y = levels.get(1);
        for (int i = 0; i < EXTRA.length; i++) {
            String p = "backbone.extra." + i;
            Block b = g.block(p, "ExtraBlock");
            int mid = EXTRA[i] / 2;
            int[] none = {0, 0}, one = {1, 1};
            y = Layers.convBn(g, w, b, p + ".0.0", p + ".0.1", y, mid, 1, 1, 1, none, none, false, Act.RELU6, BN);
            y = Layers.convBn(g, w, b, p + ".1.0", p + ".1.1", y, mid, 3, 2, 1, one, one, true, Act.RELU6, BN);
            y = Layers.convBn(g, w, b, p + ".2.0", p + ".2.1", y, EXTRA[i], 1, 1, 1, none, none, false, Act.RELU6, BN);
            levels.add(y);
        }
        for (int i = 0; i < levels.size(); i++) g.output("features." + i, levels.get(i));
        Value[] boxes = new Value[levels.size()], logits = new Value[levels.size()];
        for (int i = 0; i < levels.size(); i++) {
            boxes[i] = predictor(g, w, "head.regression_head.module_list." + i, levels.get(i), 4);
            logits[i] = predictor(g, w, "head.classification_head.module_list." + i, levels.get(i), numClasses());
        }
        Block head = g.block("head", "SSDLiteHead");
        g.outputRows(BOXES, g.add(head, "head.bbox_regression", new AnchorConcatOp(4), boxes));
        g.outputRows(LOGITS, g.add(head, "head.cls_logits", new AnchorConcatOp(numClasses()), logits));
        return g;
    }

    private static final double BN = TorchvisionMobileNetV3.BN_EPS;

    /** torchvision's _prediction_block: depthwise 3x3 + BN + ReLU6, then a 1x1 conv with bias to anchors × columns. */
    private static Value predictor(Graph g, Weights w, String p, Value x, int columns) {
        Block b = g.block(p, "PredictionBlock");
        int[] one = {1, 1};
        Value y = Layers.convBn(g, w, b, p + ".0.0", p + ".0.1", x, x.c(), 3, 1, 1, one, one, true, Act.RELU6, BN);
        return g.add(
                b, p + ".1", Layers.linear(w, p + ".1", x.c(), SsdPostprocess.ANCHORS * columns, true, Act.NONE), y);
    }
}
