package io.edgecl.models;

import com.google.gson.JsonObject;
import io.edgecl.graph.AnchorConcatOp;
import io.edgecl.graph.AvgPoolOp;
import io.edgecl.graph.Block;
import io.edgecl.graph.GemmOp;
import io.edgecl.graph.Graph;
import io.edgecl.graph.Value;
import io.edgecl.io.image.Interpolation;
import io.edgecl.io.image.Preprocess;
import io.edgecl.io.image.Preprocessor;
import io.edgecl.io.image.Resampler;
import io.edgecl.io.image.RgbImage;
import io.edgecl.ops.Act;
import io.edgecl.tensor.HostTensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * ml-cvnets' SSD (the MobileViT and EdgeNeXt papers' SSDLite detector) on a registered backbone
 * ({@link CvnetsEncoder}), under ml-cvnets' names so Apple's COCO checkpoints for MobileViT load
 * as they are ({@code encoder.*}, {@code extra_layers.*}, {@code ssd_heads.*}; another backbone's
 * keys are timm's under {@code encoder.}). Six levels: layer_4 (stride 16) and layer_5 (32) of the encoder, three
 * separable extra layers (depthwise 3x3 stride 2 + BatchNorm, then 1x1 + BatchNorm + ReLU) to
 * strides 64, 128 and 256, and a global-pool level (1x1 conv + ReLU). Each level's head projects
 * (1x1 + BatchNorm + ReLU) where the level's width differs from its projection width, then a
 * separable conv (the pooled level: a 1x1 conv) predicts, per anchor, 4 box offsets and the class
 * logits interleaved; the predictor's pointwise weights are split into a box conv and a class
 * conv, so the two outputs are {@link #BOXES} and {@link #LOGITS} as for torchvision's SSD. 6
 * anchors per location (aspect ratios 2 and 3), 4 on the pooled level (ratio 2). The
 * post-processing is ml-cvnets' ({@link SsdPostprocess#cvnets}).
 */
public final class CvnetsSsd extends Network implements Detector {
    /** The output strides of the levels, as ml-cvnets' COCO configuration sets them (-1: the pooled level). */
    private static final int[] STRIDES = {16, 32, 64, 128, 256, -1};
    /** The aspect ratios per level (ml-cvnets' COCO configuration). */
    private static final List<int[]> RATIOS = List.of(
            new int[] {2, 3}, new int[] {2, 3}, new int[] {2, 3}, new int[] {2, 3}, new int[] {2, 3}, new int[] {2});

    private final CvnetsEncoder encoder;
    private final int[] proj;
    private final double minScale, maxScale;
    private final SsdPostprocess post;
    private final int size;
    private final float[][] anchors;

    private CvnetsSsd(
            String name,
            CvnetsEncoder encoder,
            int numClasses,
            int[] proj,
            double minScale,
            double maxScale,
            SsdPostprocess post,
            int size) {
        super(name, "detection", numClasses);
        this.encoder = encoder;
        this.proj = proj;
        this.minScale = minScale;
        this.maxScale = maxScale;
        this.post = post;
        this.size = size;
        this.anchors = anchors(size, size);
    }

    /**
     * From a detection spec whose backbone is {"model": a registered backbone}: num_classes (81:
     * COCO's 80 with background), proj_channels ([512, 256, 256, 128, 128, 64]), conf_threshold
     * (0.01), nms_iou_threshold (0.5), top_k (400), objects_per_image (200), center_variance (0.1),
     * size_variance (0.2), min_scale_ratio (0.1), max_scale_ratio (1.05), size (320): ml-cvnets'
     * COCO setting, with which the paper's detectors have their parameter counts (1.76, 2.74 and
     * 5.74 M for XXS, XS and S).
     */
    static VisionModel fromJson(String name, SpecReader r, JsonObject backbone) {
        CvnetsEncoder mv = CvnetsEncoder.fromSpec("detection", backbone);
        int classes = r.integer("num_classes", 81);
        int[] proj = r.ints("proj_channels", new int[] {512, 256, 256, 128, 128, 64}, STRIDES.length);
        double conf = r.number("conf_threshold", 0.01);
        double nms = r.number("nms_iou_threshold", 0.5);
        int topK = r.integer("top_k", 400);
        int perImage = r.integer("objects_per_image", 200);
        double cv = r.number("center_variance", 0.1), sv = r.number("size_variance", 0.2);
        double minScale = r.number("min_scale_ratio", 0.1), maxScale = r.number("max_scale_ratio", 1.05);
        int size = r.integer("size", 320);
        r.finish();
        if (classes < 2) throw new ModelSpecException("detection configuration: 'num_classes' must be at least 2");
        for (int p : proj) {
            if (p < 1) throw new ModelSpecException("detection configuration: 'proj_channels' must be positive");
        }
        if (topK < 1 || perImage < 1) {
            throw new ModelSpecException("detection configuration: 'top_k' and 'objects_per_image' must be positive");
        }
        if (!(conf >= 0 && conf < 1) || !(nms > 0 && nms <= 1)) {
            throw new ModelSpecException(
                    "detection configuration: 'conf_threshold' must be in [0, 1) and 'nms_iou_threshold' in (0, 1]");
        }
        if (!(cv > 0 && sv > 0)) {
            throw new ModelSpecException(
                    "detection configuration: 'center_variance' and 'size_variance' must be positive");
        }
        if (!(minScale > 0 && maxScale > minScale)) {
            throw new ModelSpecException(
                    "detection configuration: 'min_scale_ratio' must be positive and below 'max_scale_ratio'");
        }
        if (size < 64 || size > 4096)
            throw new ModelSpecException("detection configuration: 'size' must be in 64..4096");
        mv.checkInput("detection configuration", 3, size, size);
        return new CvnetsSsd(
                name != null ? name : "ssd on " + mv.name(),
                mv,
                classes,
                proj,
                minScale,
                maxScale,
                SsdPostprocess.cvnets(classes, (float) conf, (float) nms, perImage, topK, (float) cv, (float) sv),
                size);
    }

    /**
     * The six levels' sizes ({h, w}) for an input of h × w: the first five as SSDLite's
     * ({@link Detectors#grids}: stride 16, then each stride-2 3x3 conv giving ceil(in / 2)), and
     * the pooled level 1x1.
     */
    public static List<int[]> grids(int h, int w) {
        List<int[]> g = new ArrayList<>(Detectors.grids(h, w).subList(0, STRIDES.length - 1));
        g.add(new int[] {1, 1});
        return g;
    }

    /** The anchors of an input of h × w, in the head's order (location, then anchor). */
    public float[][] anchors(int h, int w) {
        return SsdPostprocess.cvnetsAnchors(grids(h, w), RATIOS, minScale, maxScale);
    }

    @Override
    public SsdPostprocess.Detections detections(Map<String, HostTensor> head, int image, int imageH, int imageW) {
        return post.detect(head.get(BOXES), head.get(LOGITS), anchors, image, size, size, imageH, imageW);
    }

    /** {@link #detections} of a run at an input of {@code inH} × {@code inW} rather than the model's size. */
    public SsdPostprocess.Detections detections(
            Map<String, HostTensor> head, int image, int inH, int inW, int imageH, int imageW) {
        float[][] a = inH == size && inW == size ? anchors : anchors(inH, inW);
        return post.detect(head.get(BOXES), head.get(LOGITS), a, image, inH, inW, imageH, imageW);
    }

    @Override
    public int inputSize() {
        return size;
    }

    /** ml-cvnets' evaluation: the image resized to size × size (bilinear), RGB in [0, 1]. */
    @Override
    public Preprocess preprocess() {
        return Preprocess.squareUnitRange(size);
    }

    @Override
    public HostTensor transform(RgbImage image) {
        return new Preprocessor(preprocess()).toTensor(Resampler.resize(image, size, size, Interpolation.BILINEAR));
    }

    /** COCO's 80 names with background, in ml-cvnets' contiguous order, for an 81-class model. */
    @Override
    public List<String> labels() {
        return numClasses() == COCO80.size() ? COCO80 : null;
    }

    /** ml-cvnets numbers COCO's classes 1..80 contiguously; COCO's ids skip the unused ones. */
    @Override
    public int categoryId(int label) {
        return numClasses() == COCO80.size() && label > 0 && label < COCO80.size() ? COCO_IDS[label] : label;
    }

    private static final List<String> COCO80;
    private static final int[] COCO_IDS;

    static {
        List<String> names = new ArrayList<>();
        int[] ids = new int[81];
        names.add("background");
        for (int id = 1; id < SsdPostprocess.COCO_CATEGORIES.size(); id++) {
            String n = SsdPostprocess.COCO_CATEGORIES.get(id);
            if (n.equals("N/A")) continue;
            ids[names.size()] = id;
            names.add(n);
        }
        COCO80 = List.copyOf(names);
        COCO_IDS = ids;
    }

    @Override
    public List<String> featureNames() {
        List<String> f = new ArrayList<>();
        for (int i = 0; i < STRIDES.length; i++) f.add("features." + i);
        return f;
    }

    @Override
    public void checkInput(int channels, int h, int w) {
        encoder.checkInput(name(), channels, h, w);
    }

    @Override
    public String canonicalKeyFormat() {
        return "official";
    }

    @Override
    public Graph build(Weights w, int batch, int h, int wd) {
        checkInput(3, h, wd);
        CvnetsEncoder.Built enc = encoder.build(w, batch, h, wd, 32);
        Graph g = enc.graph();
        List<Value> levels = new ArrayList<>();
        levels.add(enc.l4());
        levels.add(enc.l5());
        Value y = levels.get(1);
        for (int i = 2; i < STRIDES.length - 1; i++) {
            String p = "extra_layers.os_" + STRIDES[i];
            Block b = g.block(p, "SeparableConv2d");
            y = Layers.cvnetsConvNorm(g, w, b, p + ".dw_conv.block", y, y.c(), 3, 2, 1, true, Act.NONE);
            y = Layers.cvnetsConvNorm(g, w, b, p + ".pw_conv.block", y, proj[i], 1, 1, 1, false, Act.RELU);
            levels.add(y);
        }
        String pooled = "extra_layers.os_-1";
        Block pb = g.block(pooled, "GlobalPool");
        y = g.add(pb, pooled + ".0", new AvgPoolOp(), y);
        int last = STRIDES.length - 1;
        y = g.add(pb, pooled + ".1", Layers.linear(w, pooled + ".1.block.conv", y.c(), proj[last], false, Act.RELU), y);
        levels.add(y);
        for (int i = 0; i < levels.size(); i++) g.output("features." + i, levels.get(i));
        Value[] boxes = new Value[levels.size()], logits = new Value[levels.size()];
        for (int i = 0; i < levels.size(); i++) {
            Value[] bl = head(g, w, i, levels.get(i));
            boxes[i] = bl[0];
            logits[i] = bl[1];
        }
        Block head = g.block("ssd_heads", "SSDHead");
        g.outputRows(BOXES, g.add(head, "bbox_regression", new AnchorConcatOp(4), boxes));
        g.outputRows(LOGITS, g.add(head, "cls_logits", new AnchorConcatOp(numClasses()), logits));
        return g;
    }

    /** ml-cvnets' SSDHead for level {@code i}: {box offsets, class logits} of its anchors. */
    private Value[] head(Graph g, Weights w, int i, Value x) {
        String p = "ssd_heads." + i;
        Block b = g.block(p, "SSDHead");
        int anchorsHere = 2 + 2 * RATIOS.get(i).length;
        String pw;
        if (STRIDES[i] == -1) {
            // kernel size 1: no projection, a plain 1x1 conv with bias
            pw = p + ".loc_cls_layer.block.conv";
        } else {
            if (proj[i] != x.c()) {
                x = Layers.cvnetsConvNorm(g, w, b, p + ".proj_layer.block", x, proj[i], 1, 1, 1, false, Act.RELU);
            }
            String sep = p + ".loc_cls_layer.";
            x = Layers.cvnetsConvNorm(g, w, b, sep + "dw_conv.block", x, x.c(), 3, 1, 1, true, Act.NONE);
            pw = sep + "pw_conv.block.conv";
        }
        int k = numClasses(), cols = 4 + k, c = x.c();
        HostTensor wt = w.get(pw + ".weight", anchorsHere * cols, c);
        HostTensor bias = w.get(pw + ".bias", anchorsHere * cols);
        // rows a·(4 + K) + j: the first 4 of each anchor are its box, the rest its classes
        HostTensor[] box = columns(wt, bias, anchorsHere, cols, 0, 4);
        HostTensor[] cls = columns(wt, bias, anchorsHere, cols, 4, k);
        Value boxes = g.add(b, pw + ".box", new GemmOp(Relayout.linear(box[0]), box[1], Act.NONE, null, false), x);
        Value logits = g.add(b, pw + ".cls", new GemmOp(Relayout.linear(cls[0]), cls[1], Act.NONE, null, false), x);
        return new Value[] {boxes, logits};
    }

    /** The weight rows and biases of columns [from, from + n) of every anchor's (4 + K) outputs. */
    private static HostTensor[] columns(HostTensor wt, HostTensor bias, int anchors, int cols, int from, int n) {
        int c = (int) (wt.numel() / ((long) anchors * cols));
        float[] wd = wt.data(), bd = bias.data();
        float[] ow = new float[anchors * n * c], ob = new float[anchors * n];
        for (int a = 0; a < anchors; a++)
            for (int j = 0; j < n; j++) {
                int src = a * cols + from + j, dst = a * n + j;
                System.arraycopy(wd, src * c, ow, dst * c, c);
                ob[dst] = bd[src];
            }
        return new HostTensor[] {
            new HostTensor(new int[] {anchors * n, c}, ow), new HostTensor(new int[] {anchors * n}, ob)
        };
    }

    @Override
    public String toString() {
        return name() + " (SSD on " + encoder.name() + ", levels at strides " + Arrays.toString(STRIDES) + ")";
    }
}
