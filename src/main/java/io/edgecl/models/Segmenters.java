package io.edgecl.models;

import com.google.gson.JsonObject;
import io.edgecl.graph.AddOp;
import io.edgecl.graph.AvgPoolOp;
import io.edgecl.graph.Block;
import io.edgecl.graph.ChannelGateOp;
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
 * summed at 1/8) . The backbone is torchvision's MobileNetV3 with its last stage dilated (output
 * stride 16); the dense scores are resized to the input size (bilinear, align_corners false) and
 * output as {@code out} [N, classes, H, W].
 */
public final class Segmenters extends Network {
    /** Registered names and their constructor arguments. */
    public static final Map<String, String> VARIANTS = Map.of(
            "lraspp_mobilenet_v3_large",
            "{\"head\": \"lraspp\", \"backbone\": \"mobilenet_v3_large\", \"num_classes\": 21}");

    /** The output holding the dense class scores, as torchvision names it. */
    public static final String OUT = "out";

    private final String head;
    private final TorchvisionMobileNetV3 backbone;
    private final int interChannels;

    private Segmenters(String name, String head, TorchvisionMobileNetV3 backbone, int numClasses, int inter) {
        super(name, "segmentation", numClasses);
        this.head = head;
        this.backbone = backbone;
        this.interChannels = inter;
    }

    /** A model from its constructor arguments: head, backbone, width_mult, num_classes (and inter_channels for LR-ASPP). */
    public static VisionModel fromJson(String name, JsonObject json) {
        SpecReader r = new SpecReader(json, "segmentation");
        String head = r.string("head", null, "lraspp");
        if (head == null) throw new ModelSpecException("segmentation configuration: 'head' (lraspp) is required");
        String arch = r.string("backbone", "mobilenet_v3_large", "mobilenet_v3_large", "mobilenet_v3_small");
        double wm = r.number("width_mult", 1.0);
        int classes = r.integer("num_classes", 21);
        int inter = r.integer("inter_channels", 128);
        if (classes < 1 || inter < 1) {
            throw new ModelSpecException(
                    "segmentation configuration: 'num_classes' and 'inter_channels' must be positive");
        }
        r.finish();
        return new Segmenters(
                name != null ? name : "custom segmentation",
                head,
                new TorchvisionMobileNetV3(arch, wm, false, true),
                classes,
                inter);
    }

    @Override
    public String primaryOutput() {
        return OUT;
    }

    /** torchvision's segmentation weights transforms: ImageNet mean and std at the image's own size (520 short side). */
    @Override
    public Preprocess preprocess() {
        return Preprocess.imagenet(520, 1.0);
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
        Value scores = lraspp(g, w, low, high);
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
}
