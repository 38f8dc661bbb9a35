package io.edgecl.models;

import com.google.gson.JsonObject;
import io.edgecl.graph.AvgPoolOp;
import io.edgecl.graph.Block;
import io.edgecl.graph.ConcatOp;
import io.edgecl.graph.Graph;
import io.edgecl.graph.ResizeOp;
import io.edgecl.graph.Value;
import io.edgecl.io.image.Preprocess;
import io.edgecl.ops.Act;
import java.util.ArrayList;
import java.util.List;

/**
 * ml-cvnets' DeepLabv3 on a registered backbone ({@link CvnetsEncoder}); on MobileViT the
 * segmentation model of the MobileViT paper, under ml-cvnets' names so Apple's checkpoints load
 * as they are ({@code encoder.*}, {@code seg_head.*}; another backbone's keys are timm's under
 * {@code encoder.}, at output stride 32).
 * The encoder is MobileViT with its last stages dilated to the output stride (8: layer_4 and
 * layer_5; 16: layer_5), as ml-cvnets dilates it: a dilated stage's MobileNetV2 block keeps the
 * map and dilates its depthwise conv by the dilation reached before it; the MobileViT blocks are
 * not dilated. The head is ml-cvnets' ASPP over layer_5 (a 1x1 conv, three atrous 3x3 convs and
 * the image-pooling branch, each with BatchNorm and ReLU, concatenated and projected), then the
 * 1x1 classifier; the scores are resized by the output stride (bilinear, align_corners true) and
 * output as {@code out}. The training-only aux_head a checkpoint holds is skipped.
 */
public final class CvnetsDeepLabV3 extends Network {
    private final CvnetsEncoder encoder;
    private final int outputStride;
    private final int asppChannels;
    private final int[] rates;

    private CvnetsDeepLabV3(
            String name, CvnetsEncoder encoder, int outputStride, int numClasses, int asppChannels, int[] rates) {
        super(name, "segmentation", numClasses);
        this.encoder = encoder;
        this.outputStride = outputStride;
        this.asppChannels = asppChannels;
        this.rates = rates;
    }

    /**
     * From a segmentation spec whose backbone is {"model": a registered backbone}: output_stride
     * (MobileViT: default 8; another backbone: default 32, 8 and 16 where timm dilates it), num_classes (21), aspp_out_channels (256) and atrous_rates
     * ([12, 24, 36]): ml-cvnets' Pascal VOC setting, with which the MobileViT paper's DeepLabv3
     * models have its parameter counts (1.85, 2.94 and 6.36 M for XXS, XS and S). ml-cvnets'
     * separable ASPP convolutions (aspp_sep_conv) are not supported.
     */
    static VisionModel fromJson(String name, JsonObject json, SpecReader r, JsonObject backbone) {
        CvnetsEncoder mv = CvnetsEncoder.fromSpec("segmentation", backbone);
        int os = r.integer("output_stride", mv.isMobileViT() ? 8 : 32);
        if (os != 8 && os != 16 && os != 32) {
            throw new ModelSpecException("segmentation configuration: 'output_stride' must be 8, 16 or 32, got " + os);
        }
        mv = mv.at("segmentation", os);
        int classes = r.integer("num_classes", 21);
        int aspp = r.integer("aspp_out_channels", 256);
        int[] rates = r.ints("atrous_rates", new int[] {12, 24, 36}, 3);
        if (classes < 1 || aspp < 1) {
            throw new ModelSpecException(
                    "segmentation configuration: 'num_classes' and 'aspp_out_channels' must be positive");
        }
        for (int rate : rates) {
            if (rate < 1 || rate > 1024)
                throw new ModelSpecException("segmentation configuration: 'atrous_rates' must be in 1..1024");
        }
        if (r.bool("aspp_sep_conv", false)) {
            throw new ModelSpecException(
                    "segmentation configuration: 'aspp_sep_conv' (separable ASPP convolutions) is not supported");
        }
        r.finish();
        return new CvnetsDeepLabV3(
                name != null ? name : "deeplabv3 on " + mv.name(), mv, os, classes, aspp, rates.clone());
    }

    @Override
    public String primaryOutput() {
        return Segmenters.OUT;
    }

    /** ml-cvnets' evaluation: 512x512, RGB in [0, 1] (no mean or std). */
    @Override
    public Preprocess preprocess() {
        return Preprocess.squareUnitRange(512);
    }

    /** ml-cvnets resizes every image to the model's square input and the scores back to the image. */
    @Override
    public int[] segmentationInput(int width, int height, int shortSide) {
        return new int[] {shortSide, shortSide};
    }

    @Override
    public List<String> labels() {
        return numClasses() == Segmenters.VOC_CLASSES.size() ? Segmenters.VOC_CLASSES : null;
    }

    /** layer_4's and layer_5's outputs (ml-cvnets' out_l4 and out_l5). */
    @Override
    public List<String> featureNames() {
        return List.of("features.l4", "features.l5");
    }

    @Override
    public String canonicalKeyFormat() {
        return "official";
    }

    @Override
    public void checkInput(int channels, int h, int w) {
        if (channels != 3) throw new ModelSpecException(name() + " takes 3-channel input, got " + channels);
        if (!encoder.isMobileViT()) {
            encoder.checkInput(name(), channels, h, w);
            return;
        }
        int m = multiple();
        if (h < 1 || w < 1 || h % m != 0 || w % m != 0) {
            throw new ModelSpecException("input size " + h + "x" + w + " is not supported by " + name()
                    + ": its MobileViT blocks need whole 2x2 patches, so each side must be a multiple of " + m
                    + " (default " + preprocess().size() + ")");
        }
    }

    /** The side every MobileViT block's map divides into patches at: the deepest one's stride times its patch. */
    private int multiple() {
        MobileViT.Config c = ((MobileViT) encoder.model()).config();
        int stride = 2, m = 1;
        for (int i = 0; i < c.stages().size(); i++) {
            if (stride * c.strides()[i] <= outputStride) stride *= c.strides()[i];
            for (MobileViT.BlockCfg b : c.stages().get(i)) {
                if (b.type().equals("mobilevit")) m = Math.max(m, Math.max(stride * b.patchH(), stride * b.patchW()));
            }
        }
        return m;
    }

    @Override
    public Graph build(Weights w, int batch, int h, int wd) {
        checkInput(3, h, wd);
        CvnetsEncoder.Built enc = encoder.build(w, batch, h, wd, outputStride);
        Graph g = enc.graph();
        Value l4 = enc.l4(), l5 = enc.l5();
        g.output("features.l4", l4);
        g.output("features.l5", l5);
        w.skip("seg_head.aux_head.", "the auxiliary head of ml-cvnets' segmentation models is used in training only");
        Value scores = aspp(g, w, l5);
        Block c = g.block("seg_head.classifier", "ConvLayer2d");
        scores = g.add(
                c,
                "seg_head.classifier",
                Layers.linear(w, "seg_head.classifier.block.conv", asppChannels, numClasses(), true, Act.NONE),
                scores);
        // UpSample(scale_factor=output_stride, align_corners=True)
        g.output(
                Segmenters.OUT,
                g.add(
                        g.block("seg_head.upsample_seg_out", "UpSample"),
                        "out",
                        new ResizeOp(l5.h() * outputStride, l5.w() * outputStride, true),
                        scores));
        return g;
    }

    /** ml-cvnets' ASPP ("seg_head.aspp.aspp_layer."); dropout is inert in eval. */
    private Value aspp(Graph g, Weights w, Value x) {
        Block b = g.block("seg_head.aspp", "ASPP");
        String p = "seg_head.aspp.aspp_layer.";
        int c = asppChannels;
        List<Value> branches = new ArrayList<>();
        branches.add(Layers.cvnetsConvNorm(g, w, b, p + "convs.0.block", x, c, 1, 1, 1, false, Act.RELU));
        for (int i = 0; i < rates.length; i++) {
            branches.add(Layers.cvnetsConvNorm(
                    g, w, b, p + "convs." + (i + 1) + ".block", x, c, 3, 1, rates[i], false, Act.RELU));
        }
        // the image-pooling branch: pooled, 1x1 conv + BN + ReLU, resized back (a broadcast)
        String q = p + "convs." + (rates.length + 1) + ".aspp_pool.";
        Value s = g.add(b, q + "global_pool", new AvgPoolOp(), x);
        s = Layers.cvnetsConvNorm(g, w, b, q + "conv_1x1.block", s, c, 1, 1, 1, false, Act.RELU);
        branches.add(g.add(b, q + "interpolate", new ResizeOp(x.h(), x.w(), false), s));
        Value cat = g.add(b, p + "cat", new ConcatOp(), branches.toArray(new Value[0]));
        return Layers.cvnetsConvNorm(g, w, b, p + "project.block", cat, c, 1, 1, 1, false, Act.RELU);
    }

    @Override
    public String toString() {
        return name() + " (DeepLabv3 on " + encoder.name() + ", output stride " + outputStride + ")";
    }
}
