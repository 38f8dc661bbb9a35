package io.edgecl.models;

import com.google.gson.JsonObject;
import io.edgecl.graph.ActivationOp;
import io.edgecl.graph.AddOp;
import io.edgecl.graph.AffineOp;
import io.edgecl.graph.AvgPoolOp;
import io.edgecl.graph.Block;
import io.edgecl.graph.GemmOp;
import io.edgecl.graph.Graph;
import io.edgecl.graph.MultiQueryAttentionOp;
import io.edgecl.graph.Value;
import io.edgecl.io.image.Preprocess;
import io.edgecl.models.ArchStrings.Type;
import io.edgecl.models.EfficientNetConfig.Blk;
import io.edgecl.ops.Act;
import io.edgecl.tensor.HostTensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The networks timm assembles from block strings with its EfficientNet builder: MobileNet V1,
 * V2 and V3, EfficientNet and EfficientNetV2, built into a block graph from weights. A
 * configuration names a timm variant ({@link EfficientNetVariants}: the generator, its
 * architecture strings and flags) and the generator's channel and depth multipliers (omitted,
 * they take the registered model's values); {@link EfficientNetConfig} decodes it.
 */
public final class EfficientNets extends Network {
    public static final Map<String, String> MOBILENET_V1 = EfficientNetVariants.MOBILENET_V1;
    public static final Map<String, String> MOBILENET_V2 = EfficientNetVariants.MOBILENET_V2;
    public static final Map<String, String> MOBILENET_V3 = EfficientNetVariants.MOBILENET_V3;
    public static final Map<String, String> EFFICIENTNET = EfficientNetVariants.EFFICIENTNET;
    public static final Map<String, String> EFFICIENTNET_V2 = EfficientNetVariants.EFFICIENTNET_V2;
    public static final Map<String, String> MOBILENET_V4 = EfficientNetVariants.MOBILENET_V4;

    private final Preprocess preprocess;
    private final List<List<Blk>> stages;
    private final int stemChs, numFeatures, inChans;
    private final boolean mnv3Head, headBias, samePad, stemFeature, headNorm, layerScale;
    private final EfficientNetConfig.Aa aa;
    private final boolean[] stageFeature;
    private final Act act, seAct, seGate;
    private final double bnEps;
    private final List<String> featureNames = new ArrayList<>();

    private EfficientNets(EfficientNetConfig c) {
        super(c.name(), c.family(), c.numClasses());
        this.preprocess = c.preprocess();
        this.stages = c.stages();
        this.stemChs = c.stemChs();
        this.numFeatures = c.numFeatures();
        this.inChans = c.inChans();
        this.mnv3Head = c.mnv3Head();
        this.headBias = c.headBias();
        this.samePad = c.samePad();
        this.act = c.act();
        this.seAct = c.seAct();
        this.seGate = c.seGate();
        this.bnEps = c.bnEps();
        this.headNorm = c.headNorm();
        this.layerScale = c.layerScale();
        this.aa = c.aa();
        // timm's feature_info: the stem when the first block strides, then each stage whose
        // successor starts with a stride (and the last)
        this.stemFeature = stages.get(0).get(0).baseStride() > 1;
        if (stemFeature) featureNames.add("features.0");
        stageFeature = new boolean[stages.size()];
        for (int i = 0; i < stages.size(); i++) {
            stageFeature[i] = i == stages.size() - 1 || stages.get(i + 1).get(0).baseStride() > 1;
            if (stageFeature[i]) featureNames.add("features." + featureNames.size());
        }
    }

    public static VisionModel mobilenetV1(String name, JsonObject json) {
        return new EfficientNets(EfficientNetConfig.parse(name, json, "mobilenetv1"));
    }

    public static VisionModel mobilenetV2(String name, JsonObject json) {
        return new EfficientNets(EfficientNetConfig.parse(name, json, "mobilenetv2"));
    }

    public static VisionModel mobilenetV3(String name, JsonObject json) {
        return new EfficientNets(EfficientNetConfig.parse(name, json, "mobilenetv3"));
    }

    public static VisionModel efficientNet(String name, JsonObject json) {
        return new EfficientNets(EfficientNetConfig.parse(name, json, "efficientnet"));
    }

    public static VisionModel efficientNetV2(String name, JsonObject json) {
        return new EfficientNets(EfficientNetConfig.parse(name, json, "efficientnetv2"));
    }

    public static VisionModel mobilenetV4(String name, JsonObject json) {
        return new EfficientNets(EfficientNetConfig.parse(name, json, "mobilenetv4"));
    }

    // ---- model --------------------------------------------------------------------------

    @Override
    public Preprocess preprocess() {
        return preprocess;
    }

    @Override
    public List<String> featureNames() {
        return featureNames;
    }

    /** The built blocks (channels, strides, SE widths), stage by stage. */
    List<List<Blk>> stages() {
        return stages;
    }

    @Override
    public void checkInput(int channels, int h, int w) {
        if (channels != inChans)
            throw new ModelSpecException(name() + " takes " + inChans + "-channel input, got " + channels);
        if (h < 1 || w < 1) throw new ModelSpecException("input size " + h + "x" + w + " is not valid for " + name());
    }

    /**
     * A conv's padding before and after the input along one axis: TensorFlow "same" (output
     * ceil(in / s), the odd pixel of padding after) or timm's symmetric default.
     */
    private int[] padding(int in, int k, int s, int d) {
        if (samePad) {
            int out = (in + s - 1) / s;
            int total = Math.max((out - 1) * s + (k - 1) * d + 1 - in, 0);
            return new int[] {total / 2, total - total / 2};
        }
        int p = ((s - 1) + d * (k - 1)) / 2;
        return new int[] {p, p};
    }

    /**
     * A bias-free conv with the BatchNorm after it folded in, then the norm's activation as its
     * own node (fusion merges it). {@code depthwise}: one filter per channel; {@code dilation}
     * above 1 where a stride was turned into dilation below the output stride.
     */
    private Value convBn(
            Graph g,
            Weights W,
            Block b,
            String conv,
            String bn,
            Value x,
            int out,
            int k,
            int stride,
            int dilation,
            boolean depthwise,
            Act a) {
        return convBn(g, W, b, conv, bn, x, out, k, stride, dilation, depthwise, a, null);
    }

    /** As above, the output then scaled per channel by {@code scale} (a layer scale; null: none), folded into the conv. */
    private Value convBn(
            Graph g,
            Weights W,
            Block b,
            String conv,
            String bn,
            Value x,
            int out,
            int k,
            int stride,
            int dilation,
            boolean depthwise,
            Act a,
            HostTensor scale) {
        int[] py = padding(x.h(), k, stride, dilation), px = padding(x.w(), k, stride, dilation);
        return Layers.convBn(g, W, b, conv, bn, x, out, k, stride, dilation, py, px, depthwise, a, bnEps, scale);
    }

    /**
     * A conv with its BatchNorm and activation that, where the model anti-aliases and the conv
     * strides, runs at stride 1 and downsamples after the activation (timm's ConvNormAct with
     * aa_layer); node {@code conv}.aa.
     */
    private Value convBnAa(
            Graph g,
            Weights W,
            Block b,
            String conv,
            String bn,
            Value x,
            int out,
            int k,
            int stride,
            int dilation,
            boolean depthwise,
            Act a) {
        if (aa == EfficientNetConfig.Aa.NONE || stride == 1) {
            return convBn(g, W, b, conv, bn, x, out, k, stride, dilation, depthwise, a);
        }
        Value y = convBn(g, W, b, conv, bn, x, out, k, 1, dilation, depthwise, a);
        return g.add(b, conv + ".aa", Layers.antiAlias(aa == EfficientNetConfig.Aa.BLUR, out, stride), y);
    }

    /** A layer scale's gamma (key PREFIX.layer_scale.gamma) where the model has them, else null. */
    private HostTensor layerScale(Weights W, String block, int c) {
        return layerScale ? W.get(block + ".layer_scale.gamma", c) : null;
    }

    /** Squeeze-excite: mean over pixels, reduce (act), expand (gate), scale the channels. */
    private Value squeezeExcite(Graph g, Weights W, Block b, String p, Value x, int rd, Act blockAct) {
        Act a = seAct != null ? seAct : blockAct;
        return Layers.squeezeExcite(g, W, b, p, "pool", "conv_reduce", "conv_expand", x, rd, a, seGate);
    }

    /**
     * Reads what the file says about the spec (widths, blocks per stage, head, classes) and
     * records the differences, naming the multiplier or flag that decides each.
     */
    private void diagnose(Weights W) {
        if (W.isSynthetic()) return;
        int[] stem = W.shapeOf("conv_stem.weight");
        if (stem != null && stem[0] != stemChs) {
            W.diagnose("channel_multiplier: the file's stem has " + stem[0] + " channels, the spec " + stemChs);
        }
        int[] fileDepths = new int[stages.size()], specDepths = new int[stages.size()];
        int[] fileOut = new int[stages.size()], specOut = new int[stages.size()];
        for (int i = 0; i < stages.size(); i++) {
            specDepths[i] = stages.get(i).size();
            specOut[i] = stages.get(i).get(specDepths[i] - 1).out();
            String p = "blocks." + i + ".";
            for (String k : W.keys()) {
                if (!k.startsWith(p)) continue;
                int dot = k.indexOf('.', p.length());
                if (dot < 0) continue;
                try {
                    fileDepths[i] = Math.max(fileDepths[i], Integer.parseInt(k.substring(p.length(), dot)) + 1);
                } catch (NumberFormatException e) {
                    // not a block index
                }
            }
            int last = fileDepths[i] - 1;
            for (String conv : new String[] {"conv_pwl", "pw_proj.conv", "attn.output.proj", "conv_pw", "conv"}) {
                String key = p + last + "." + conv + ".weight";
                if (last >= 0 && W.has(key) && !(conv.equals("conv_pw") && W.has(p + last + ".conv_pwl.weight"))) {
                    fileOut[i] = W.shapeOf(key)[0];
                    break;
                }
            }
        }
        if (!Arrays.equals(fileDepths, specDepths)) {
            W.diagnose("depth_multiplier: blocks per stage in the file " + Arrays.toString(fileDepths) + ", the spec "
                    + Arrays.toString(specDepths));
        }
        if (!Arrays.equals(fileOut, specOut)) {
            W.diagnose("channel_multiplier: stage widths in the file " + Arrays.toString(fileOut) + ", the spec "
                    + Arrays.toString(specOut));
        }
        int[] head = W.shapeOf("conv_head.weight");
        int specHead = mnv3Head || numFeatures > 0 ? numFeatures : 0;
        if ((head == null ? 0 : head[0]) != specHead) {
            W.diagnose((family().equals("mobilenetv1") ? "head_conv" : "channel_multiplier")
                    + ": the file's conv_head has " + (head == null ? "no" : head[0]) + " channels, the spec "
                    + (specHead == 0 ? "none" : specHead));
        }
        int[] fc = W.shapeOf("classifier.weight");
        if ((fc == null ? 0 : fc[0]) != numClasses()) {
            W.diagnose("num_classes: the file has " + (fc == null ? 0 : fc[0]) + ", the spec " + numClasses());
        }
    }

    @Override
    public Graph build(Weights W, int batch, int h, int w) {
        return graph(W, batch, h, w, true);
    }

    /** timm's features_only: the stem and stages up to the last feature, without the classifier head. */
    @Override
    public Graph buildFeatures(Weights W, int batch, int h, int w) {
        return graph(W, batch, h, w, false);
    }

    private Graph graph(Weights W, int batch, int h, int w, boolean classifier) {
        checkInput(inChans, h, w);
        diagnose(W);
        Graph g = new Graph();
        Value x = g.input("input", batch, h, w, inChans);
        Block stem = g.block("stem", "Stem");
        x = convBn(g, W, stem, "conv_stem", "bn1", x, stemChs, 3, 2, 1, false, act);
        int feature = 0;
        if (stemFeature) g.output("features." + feature++, x);
        for (int i = 0; i < stages.size(); i++) {
            for (Blk k : stages.get(i)) x = block(g, W, k, x);
            if (stageFeature[i]) g.output("features." + feature++, x);
        }
        if (!classifier) return g;
        Block head = g.block("head", "Head");
        int c = x.c();
        if (headNorm) {
            // MobileNetV4: pool first, then a 1x1 conv whose BatchNorm and activation follow
            x = g.add(head, "global_pool", new AvgPoolOp(), x);
            x = convBn(g, W, head, "conv_head", "norm_head", x, numFeatures, 1, 1, 1, false, act);
            c = numFeatures;
        } else if (mnv3Head) {
            // MobileNetV3's efficient head: pool first, then a 1x1 conv with bias and no norm
            x = g.add(head, "global_pool", new AvgPoolOp(), x);
            x = g.add(head, "conv_head", Layers.linear(W, "conv_head", c, numFeatures, headBias, Act.NONE), x);
            x = g.add(head, "act2", new ActivationOp(act), x);
            c = numFeatures;
        } else {
            if (numFeatures > 0) {
                x = convBn(g, W, head, "conv_head", "bn2", x, numFeatures, 1, 1, 1, false, act);
                c = numFeatures;
            }
            x = g.add(head, "global_pool", new AvgPoolOp(), x);
        }
        if (numClasses() > 0) {
            x = g.add(head, "classifier", Layers.linear(W, "classifier", c, numClasses(), true, Act.NONE), x);
        }
        g.output("logits", x);
        return g;
    }

    private Value block(Graph g, Weights W, Blk k, Value x) {
        String p = k.path();
        Value shortcut = x, y;
        switch (k.type()) {
            case DS, DSA -> {
                Block b = g.block(p, "DepthwiseSeparableConv");
                y = convBn(
                        g, W, b, p + ".conv_dw", p + ".bn1", x, k.in(), k.k(), k.stride(), k.dilation(), true, k.act());
                if (k.seChs() > 0) y = squeezeExcite(g, W, b, p + ".se", y, k.seChs(), k.act());
                y = convBn(
                        g,
                        W,
                        b,
                        p + ".conv_pw",
                        p + ".bn2",
                        y,
                        k.out(),
                        1,
                        1,
                        1,
                        false,
                        k.type() == Type.DSA ? k.act() : Act.NONE);
                return residual(g, b, k, y, shortcut);
            }
            case IR -> {
                Block b = g.block(p, "InvertedResidual");
                y = convBn(g, W, b, p + ".conv_pw", p + ".bn1", x, k.mid(), 1, 1, 1, false, k.act());
                y = convBn(
                        g,
                        W,
                        b,
                        p + ".conv_dw",
                        p + ".bn2",
                        y,
                        k.mid(),
                        k.k(),
                        k.stride(),
                        k.dilation(),
                        true,
                        k.act());
                if (k.seChs() > 0) y = squeezeExcite(g, W, b, p + ".se", y, k.seChs(), k.act());
                y = convBn(g, W, b, p + ".conv_pwl", p + ".bn3", y, k.out(), 1, 1, 1, false, Act.NONE);
                return residual(g, b, k, y, shortcut);
            }
            case ER -> {
                Block b = g.block(p, "EdgeResidual");
                y = convBnAa(
                        g,
                        W,
                        b,
                        p + ".conv_exp",
                        p + ".bn1",
                        x,
                        k.mid(),
                        k.k(),
                        k.stride(),
                        k.dilation(),
                        false,
                        k.act());
                if (k.seChs() > 0) y = squeezeExcite(g, W, b, p + ".se", y, k.seChs(), k.act());
                y = convBn(g, W, b, p + ".conv_pwl", p + ".bn2", y, k.out(), 1, 1, 1, false, Act.NONE);
                return residual(g, b, k, y, shortcut);
            }
            case UIR -> {
                return universal(g, W, k, x);
            }
            case MQA -> {
                return mobileAttention(g, W, k, x);
            }
            default -> {
                Block b = g.block(p, "ConvBnAct");
                y = convBnAa(
                        g, W, b, p + ".conv", p + ".bn1", x, k.out(), k.k(), k.stride(), k.dilation(), false, k.act());
                return residual(g, b, k, y, shortcut);
            }
        }
    }

    /**
     * MobileNetV4's universal inverted residual: an optional depthwise conv before the expansion
     * (BatchNorm, no activation), the 1x1 expansion, an optional middle depthwise conv, the 1x1
     * projection and an optional depthwise conv after it; the stride goes to the first depthwise
     * conv of middle, start, end. The layer scale is folded into the last conv.
     */
    private Value universal(Graph g, Weights W, Blk k, Value x) {
        String p = k.path();
        Block b = g.block(p, "UniversalInvertedResidual");
        Value y = x;
        int d = k.dilation();
        if (k.dwStart() > 0) {
            int s = k.k() > 0 ? 1 : k.stride();
            y = convBnAa(
                    g, W, b, p + ".dw_start.conv", p + ".dw_start.bn", y, k.in(), k.dwStart(), s, d, true, Act.NONE);
        }
        y = convBn(g, W, b, p + ".pw_exp.conv", p + ".pw_exp.bn", y, k.mid(), 1, 1, 1, false, k.act());
        if (k.k() > 0) {
            y = convBnAa(
                    g, W, b, p + ".dw_mid.conv", p + ".dw_mid.bn", y, k.mid(), k.k(), k.stride(), d, true, k.act());
        }
        if (k.seChs() > 0) y = squeezeExcite(g, W, b, p + ".se", y, k.seChs(), k.act());
        HostTensor gamma = layerScale(W, p, k.out());
        y = convBn(
                g,
                W,
                b,
                p + ".pw_proj.conv",
                p + ".pw_proj.bn",
                y,
                k.out(),
                1,
                1,
                1,
                false,
                Act.NONE,
                k.dwEnd() > 0 ? null : gamma);
        if (k.dwEnd() > 0) {
            int s = k.k() == 0 && k.dwStart() == 0 ? k.stride() : 1;
            y = convBn(
                    g, W, b, p + ".dw_end.conv", p + ".dw_end.bn", y, k.out(), k.dwEnd(), s, d, true, Act.NONE, gamma);
        }
        return residual(g, b, k, y, x);
    }

    /**
     * MobileNetV4's mobile multi-query attention: BatchNorm, then a query projection of all heads
     * and one key and one value head, each of those optionally downsampled first by a strided
     * depthwise conv with its BatchNorm; softmax attention, the output projection (layer scale
     * folded in) and the shortcut.
     */
    private Value mobileAttention(Graph g, Weights W, Blk k, Value x) {
        String p = k.path(), a = p + ".attn";
        Block b = g.block(p, "MobileAttention");
        int c = x.c(), hd = k.heads() * k.keyDim();
        Relayout.Folded bn = Relayout.batchNormAffine(
                W.get(p + ".norm.weight", c),
                W.get(p + ".norm.bias", c),
                W.buffer(p + ".norm.running_mean", c),
                W.buffer(p + ".norm.running_var", c),
                bnEps);
        float scale = (float) (1.0 / Math.sqrt(k.keyDim()));
        Value o;
        if (k.kvStride() == 1) {
            // queries, keys and values in one projection of the input, the norm folded in
            HostTensor w = HostTensor.concat(List.of(
                            W.get(a + ".query.proj.weight", hd, c),
                            W.get(a + ".key.proj.weight", k.keyDim(), c),
                            W.get(a + ".value.proj.weight", k.keyDim(), c)))
                    .reshape(hd + 2 * k.keyDim(), c);
            Relayout.Folded f = Relayout.foldIntoNext(w, null, bn);
            GemmOp qkv = new GemmOp(Relayout.linear(f.weight()), f.bias(), Act.NONE, null, false);
            o = g.add(b, a, new MultiQueryAttentionOp(k.heads(), scale), g.add(b, a + ".qkv", qkv, x));
        } else {
            // the strided key/value convs pad with zeros, so they read the normalised input itself
            Value q = g.add(b, a + ".query.proj", projection(W, a + ".query.proj", c, hd, bn), x);
            Value n = g.add(b, p + ".norm", new AffineOp(bn.weight(), bn.bias(), Act.NONE), x);
            Value[] kv = new Value[2];
            String[] names = {"key", "value"};
            for (int i = 0; i < 2; i++) {
                String s = a + "." + names[i];
                Value t = convBn(
                        g,
                        W,
                        b,
                        s + ".down_conv",
                        s + ".norm",
                        n,
                        c,
                        k.k(),
                        k.kvStride(),
                        k.dilation(),
                        true,
                        Act.NONE);
                kv[i] = g.add(b, s + ".proj", Layers.linear(W, s + ".proj", c, k.keyDim(), false, Act.NONE), t);
            }
            o = g.add(b, a, new MultiQueryAttentionOp(k.heads(), scale), q, kv[0], kv[1]);
        }
        HostTensor wt = W.get(a + ".output.proj.weight", k.out(), hd);
        HostTensor gamma = layerScale(W, p, k.out());
        if (gamma != null) wt = Relayout.scaleRows(wt, gamma);
        Value y = g.add(b, a + ".output.proj", new GemmOp(Relayout.linear(wt), null, Act.NONE, null, false), o);
        return residual(g, b, k, y, x);
    }

    /** A bias-free 1x1 projection (key PREFIX.weight) of the input of a BatchNorm, the norm folded in. */
    private static GemmOp projection(Weights W, String prefix, int in, int out, Relayout.Folded norm) {
        Relayout.Folded f = Relayout.foldIntoNext(W.get(prefix + ".weight", out, in), null, norm);
        return new GemmOp(Relayout.linear(f.weight()), f.bias(), Act.NONE, null, false);
    }

    private static Value residual(Graph g, Block b, Blk k, Value y, Value shortcut) {
        if (!k.skip()) return y;
        return g.add(b, k.path() + ".residual", new AddOp(Act.NONE), y, shortcut);
    }

    @Override
    public String toString() {
        return name() + " (" + family().toLowerCase(Locale.ROOT) + ")";
    }
}
