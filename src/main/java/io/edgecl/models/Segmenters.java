package io.edgecl.models;

import com.google.gson.JsonObject;
import io.edgecl.graph.AddOp;
import io.edgecl.graph.AvgPoolOp;
import io.edgecl.graph.Block;
import io.edgecl.graph.ChannelGateOp;
import io.edgecl.graph.ConcatOp;
import io.edgecl.graph.Graph;
import io.edgecl.graph.ResizeOp;
import io.edgecl.graph.Value;
import io.edgecl.io.image.Preprocess;
import io.edgecl.ops.Act;
import java.util.List;
import java.util.Map;

/**
 * torchvision's semantic segmentation models on MobileNetV3 under torchvision's names, so its
 * checkpoints load as they are: {@code lraspp_mobilenet_v3_large} (LR-ASPP: a 1/8 "low" tap and
 * the 1/16 "high" features gated by their pooled sigmoid attention, each classified by a 1x1 conv,
 * summed at 1/8) and {@code deeplabv3_mobilenet_v3_large} (DeepLabV3: ASPP of a 1x1 conv, three
 * atrous 3x3 convs at rates 12, 24, 36 and the image-pooling branch over the 1/16 features,
 * projected, then a 3x3 conv and the classifier; the training-only aux_classifier a checkpoint may
 * hold is skipped). The backbone is torchvision's MobileNetV3 with its last stage dilated (output
 * stride 16); the dense scores are resized to the input size (bilinear, align_corners false) and
 * output as {@code out} [N, classes, H, W].
 */
public final class Segmenters extends Network {
    /** Registered names and their constructor arguments. */
    public static final Map<String, String> VARIANTS = Models.ordered(
            "lraspp_mobilenet_v3_large",
            "{\"head\": \"lraspp\", \"backbone\": \"mobilenet_v3_large\", \"num_classes\": 21}",
            "deeplabv3_mobilenet_v3_large",
            "{\"head\": \"deeplabv3\", \"backbone\": \"mobilenet_v3_large\", \"num_classes\": 21}",
            // ml-cvnets' Pascal VOC models (CvnetsDeepLabV3), as Apple publishes them
            "deeplabv3_mobilevit_xxs",
            cvnets("mobilevit_xxs"),
            "deeplabv3_mobilevit_xs",
            cvnets("mobilevit_xs"),
            "deeplabv3_mobilevit_s",
            cvnets("mobilevit_s"));

    private static String cvnets(String backbone) {
        return "{\"head\": \"deeplabv3\", \"backbone\": {\"model\": \"" + backbone
                + "\"}, \"output_stride\": 8, \"num_classes\": 21}";
    }

    /** The output holding the dense class scores, as torchvision names it. */
    public static final String OUT = "out";

    private final String head;
    private final TorchvisionMobileNetV3 backbone;
    private final int interChannels;
    private final int[] rates;
    private final List<String> labels;
    private final int shortSide;

    private Segmenters(
            String name,
            String head,
            TorchvisionMobileNetV3 backbone,
            int numClasses,
            int inter,
            int[] rates,
            List<String> labels,
            int shortSide) {
        super(name, "segmentation", numClasses);
        this.head = head;
        this.backbone = backbone;
        this.interChannels = inter;
        this.rates = rates;
        this.labels = labels;
        this.shortSide = shortSide;
    }

    /** The same network under another name, with its own class names and input size (the embedded demo). */
    Segmenters as(String name, List<String> labels, int shortSide) {
        if (labels.size() != numClasses()) {
            throw new ModelSpecException(name + ": " + labels.size() + " labels for " + numClasses() + " classes");
        }
        return new Segmenters(name, head, backbone, numClasses(), interChannels, rates, List.copyOf(labels), shortSide);
    }

    /**
     * A model from its constructor arguments: head (lraspp or deeplabv3), backbone, width_mult,
     * num_classes; inter_channels (LR-ASPP, 128) or aspp_out_channels (256) and atrous_rates
     * ([12, 24, 36]) for DeepLabV3, as ml-cvnets names them.
     */
    public static VisionModel fromJson(String name, JsonObject json) {
        SpecReader r = new SpecReader(json, "segmentation");
        String head = r.string("head", null, "lraspp", "deeplabv3");
        if (head == null) {
            throw new ModelSpecException("segmentation configuration: 'head' (lraspp or deeplabv3) is required");
        }
        r.ignore("task");
        if (json.has("backbone") && json.get("backbone").isJsonObject()) {
            // {"backbone": {"model": "mobilevit_xxs"}}: ml-cvnets' DeepLabv3 on that model
            JsonObject backbone = json.getAsJsonObject("backbone");
            r.ignore("backbone");
            if (!head.equals("deeplabv3")) {
                throw new ModelSpecException("segmentation configuration: on a backbone given as {\"model\": ...}"
                        + " the head is ml-cvnets' deeplabv3, not " + head);
            }
            return CvnetsDeepLabV3.fromJson(name, json, r, backbone);
        }
        String arch = r.string("backbone", "mobilenet_v3_large", "mobilenet_v3_large", "mobilenet_v3_small");
        double wm = r.number("width_mult", 1.0);
        int classes = r.integer("num_classes", 21);
        boolean lraspp = head.equals("lraspp");
        int inter = lraspp ? r.integer("inter_channels", 128) : r.integer("aspp_out_channels", 256);
        int[] rates = lraspp ? new int[0] : r.ints("atrous_rates", new int[] {12, 24, 36}, -1);
        if (classes < 1 || inter < 1) {
            throw new ModelSpecException("segmentation configuration: 'num_classes' and '"
                    + (lraspp ? "inter_channels" : "aspp_out_channels") + "' must be positive");
        }
        for (int rate : rates) {
            if (rate < 1 || rate > 1024)
                throw new ModelSpecException("segmentation configuration: 'atrous_rates' must be in 1..1024");
        }
        r.finish();
        return new Segmenters(
                name != null ? name : "custom segmentation",
                head,
                new TorchvisionMobileNetV3(arch, wm, false, true),
                classes,
                inter,
                rates,
                null,
                520);
    }

    @Override
    public String primaryOutput() {
        return OUT;
    }

    /** torchvision's segmentation weights transforms: ImageNet mean and std at the image's own size (520 short side). */
    @Override
    public Preprocess preprocess() {
        return Preprocess.imagenet(shortSide, 1.0);
    }

    /** Pascal VOC's classes, as torchvision's segmentation weights name them, for 21-class models. */
    public static final List<String> VOC_CLASSES = List.of(
            "__background__",
            "aeroplane",
            "bicycle",
            "bird",
            "boat",
            "bottle",
            "bus",
            "car",
            "cat",
            "chair",
            "cow",
            "diningtable",
            "dog",
            "horse",
            "motorbike",
            "person",
            "pottedplant",
            "sheep",
            "sofa",
            "train",
            "tvmonitor");

    @Override
    public List<String> labels() {
        if (labels != null) return labels;
        return numClasses() == VOC_CLASSES.size() ? VOC_CLASSES : null;
    }

    @Override
    public List<String> featureNames() {
        return List.of("features.low", "features.high");
    }

    @Override
    public void checkInput(int channels, int h, int w) {
        if (channels != 3) throw new ModelSpecException(name() + " takes 3-channel input, got " + channels);
        if (h < 1 || w < 1) throw new ModelSpecException("input size " + h + "x" + w + " is not valid for " + name());
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
        int lowAt = stages.get(stages.size() - 4), highAt = stages.get(stages.size() - 1);
        List<Value> f = backbone.build(g, w, "backbone.", x, highAt);
        Value low = f.get(lowAt), high = f.get(highAt);
        g.output("features.low", low);
        g.output("features.high", high);
        Value scores;
        if (head.equals("lraspp")) {
            scores = lraspp(g, w, low, high);
        } else {
            w.skip("aux_classifier.", "the auxiliary FCN head of DeepLabV3 is used in training only");
            scores = deeplabv3(g, w, high);
        }
        g.output(OUT, g.add(g.block("upsample", "Interpolate"), "out", new ResizeOp(h, wd, false), scores));
        return g;
    }

    /** torchvision's LRASPPHead ("classifier."): scores at the low tap's resolution. */
    private Value lraspp(Graph g, Weights w, Value low, Value high) {
        Block b = g.block("classifier", "LRASPPHead");
        int[] none = {0, 0};
        Value x = Layers.convBn(
                g,
                w,
                b,
                "classifier.cbr.0",
                "classifier.cbr.1",
                high,
                interChannels,
                1,
                1,
                1,
                none,
                none,
                false,
                Act.RELU,
                1e-5);
        Value s = g.add(b, "classifier.scale.0", new AvgPoolOp(), high);
        s = g.add(
                b,
                "classifier.scale.1",
                Layers.linear(w, "classifier.scale.1", high.c(), interChannels, false, Act.SIGMOID),
                s);
        x = g.add(b, "classifier.gate", new ChannelGateOp(), x, s);
        x = g.add(b, "classifier.interpolate", new ResizeOp(low.h(), low.w(), false), x);
        Value lo = g.add(
                b,
                "classifier.low_classifier",
                Layers.linear(w, "classifier.low_classifier", low.c(), numClasses(), true, Act.NONE),
                low);
        Value hi = g.add(
                b,
                "classifier.high_classifier",
                Layers.linear(w, "classifier.high_classifier", interChannels, numClasses(), true, Act.NONE),
                x);
        return g.add(b, "classifier.sum", new AddOp(Act.NONE), lo, hi);
    }

    /** torchvision's DeepLabHead ("classifier."): ASPP, a 3x3 conv + BN + ReLU, the 1x1 classifier. */
    private Value deeplabv3(Graph g, Weights w, Value x) {
        Block b = g.block("classifier.0", "ASPP");
        int c = interChannels;
        int[] none = {0, 0};
        List<Value> branches = new java.util.ArrayList<>();
        String p = "classifier.0.convs.";
        branches.add(Layers.convBn(g, w, b, p + "0.0", p + "0.1", x, c, 1, 1, 1, none, none, false, Act.RELU, 1e-5));
        for (int i = 0; i < rates.length; i++) {
            int rate = rates[i];
            String q = p + (i + 1);
            int[] pad = {rate, rate};
            branches.add(Layers.convBn(g, w, b, q + ".0", q + ".1", x, c, 3, 1, rate, pad, pad, false, Act.RELU, 1e-5));
        }
        // the image-pooling branch: pooled, 1x1 conv + BN + ReLU, then resized back (a broadcast)
        String q = p + (rates.length + 1);
        Value s = g.add(b, q + ".0", new AvgPoolOp(), x);
        s = Layers.convBn(g, w, b, q + ".1", q + ".2", s, c, 1, 1, 1, none, none, false, Act.RELU, 1e-5);
        branches.add(g.add(b, q + ".interpolate", new ResizeOp(x.h(), x.w(), false), s));
        Value cat = g.add(b, "classifier.0.cat", new ConcatOp(), branches.toArray(new Value[0]));
        Value y = Layers.convBn(
                g,
                w,
                b,
                "classifier.0.project.0",
                "classifier.0.project.1",
                cat,
                c,
                1,
                1,
                1,
                none,
                none,
                false,
                Act.RELU,
                1e-5);
        Block h = g.block("classifier", "DeepLabHead");
        int[] one = {1, 1};
        y = Layers.convBn(g, w, h, "classifier.1", "classifier.2", y, c, 3, 1, 1, one, one, false, Act.RELU, 1e-5);
        return g.add(h, "classifier.4", Layers.linear(w, "classifier.4", c, numClasses(), true, Act.NONE), y);
    }
}
