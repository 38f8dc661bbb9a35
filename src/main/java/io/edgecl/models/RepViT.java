package io.edgecl.models;

import com.google.gson.JsonObject;
import io.edgecl.graph.AddOp;
import io.edgecl.graph.AvgPoolOp;
import io.edgecl.graph.Block;
import io.edgecl.graph.DwConvOp;
import io.edgecl.graph.GemmOp;
import io.edgecl.graph.Graph;
import io.edgecl.graph.Value;
import io.edgecl.io.image.Preprocess;
import io.edgecl.ops.Act;
import io.edgecl.tensor.HostTensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * RepViT (Wang et al., 2023) as timm defines it: a conv stem of two stride-2 convs, stages of
 * RepViT blocks (a re-parameterisable depthwise token mixer, squeeze-excite in every other block,
 * a 1x1 conv MLP with GELU), stride-2 downsampling blocks between stages, and a classifier whose
 * BatchNorm-Linear head and distillation head are averaged.
 *
 * <p>Every conv + BatchNorm pair is folded when the weights are read, and so is the token mixer:
 * its k×k depthwise conv, its 1x1 depthwise conv and its identity branch add up to one k×k
 * depthwise conv (with the BatchNorm after the sum folded in as well), as timm's {@code fuse()}
 * does. The head's BatchNorm1d is folded into its Linear, and the two heads into one.
 */
public final class RepViT extends Network {
    static final double BN_EPS = 1e-5;

    public static final Map<String, String> VARIANTS = new LinkedHashMap<>();

    static {
        String small = "\"embed_dim\":[48,96,192,384],\"depth\":[2,2,14,2]";
        VARIANTS.put("repvit_m0_9", "{" + small + "}");
        VARIANTS.put("repvit_m1_0", "{\"embed_dim\":[56,112,224,448],\"depth\":[2,2,14,2]}");
        VARIANTS.put("repvit_m1_1", "{\"embed_dim\":[64,128,256,512],\"depth\":[2,2,12,2]}");
        VARIANTS.put("repvit_m1_5", "{\"embed_dim\":[64,128,256,512],\"depth\":[4,4,24,4]}");
        VARIANTS.put("repvit_m2_3", "{\"embed_dim\":[80,160,320,640],\"depth\":[6,6,34,2]}");
        // The first releases: the 1x1 branch of the token mixer is a conv with its own BatchNorm.
        VARIANTS.put("repvit_m1", "{" + small + ",\"legacy\":true}");
        VARIANTS.put("repvit_m2", "{\"embed_dim\":[64,128,256,512],\"depth\":[2,2,12,2],\"legacy\":true}");
        VARIANTS.put("repvit_m3", "{\"embed_dim\":[64,128,256,512],\"depth\":[4,4,18,2],\"legacy\":true}");
    }

    private final int[] dims, depths;
    private final int mlpRatio, kernel, inChans;
    private final boolean distillation, legacy;

    private RepViT(
            String name,
            int[] dims,
            int[] depths,
            int mlpRatio,
            int kernel,
            int numClasses,
            int inChans,
            boolean distillation,
            boolean legacy) {
        super(name, "repvit", numClasses);
        this.dims = dims;
        this.depths = depths;
        this.mlpRatio = mlpRatio;
        this.kernel = kernel;
        this.inChans = inChans;
        this.distillation = distillation;
        this.legacy = legacy;
    }

    public static RepViT fromJson(String name, JsonObject json) {
        SpecReader r = new SpecReader(json, "repvit");
        int[] dims = r.ints("embed_dim", new int[] {48}, 0);
        int[] depths = r.ints("depth", new int[] {2}, 0);
        if (dims.length == 0 || dims.length != depths.length) {
            throw new ModelSpecException("repvit configuration: 'embed_dim' and 'depth' need one entry per stage, got "
                    + dims.length + " and " + depths.length);
        }
        double ratio = r.number("mlp_ratio", 2);
        if (ratio != Math.rint(ratio) || ratio < 1) {
            throw new ModelSpecException("repvit configuration: 'mlp_ratio' must be a whole number, got " + ratio);
        }
        int k = r.integer("kernel_size", 3);
        if (k % 2 == 0) throw new ModelSpecException("repvit configuration: 'kernel_size' must be odd, got " + k);
        int classes = r.integer("num_classes", 1000);
        int inChans = r.integer("in_chans", 3);
        boolean distillation = r.bool("distillation", true);
        boolean legacy = r.bool("legacy", false);
        r.string("global_pool", "avg", "avg");
        r.string("act_layer", "gelu", "gelu");
        r.ignore("drop_rate", "img_size");
        r.finish();
        if (dims[0] < 2 || dims[0] % 2 != 0) {
            throw new ModelSpecException("repvit configuration: embed_dim[0] must be even (the stem's first conv"
                    + " has half of it), got " + dims[0]);
        }
        return new RepViT(
                name == null ? "custom repvit" : name,
                dims,
                depths,
                (int) ratio,
                k,
                classes,
                inChans,
                distillation,
                legacy);
    }

    @Override
    public Preprocess preprocess() {
        return Preprocess.imagenet(224, 0.95);
    }

    @Override
    public List<String> featureNames() {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < dims.length; i++) names.add("features." + i);
        return names;
    }

    /** The total stride: 4 in the stem, 2 at each later stage. */
    private int stride() {
        return 4 << (dims.length - 1);
    }

    @Override
    public void checkInput(int channels, int h, int w) {
        if (channels != inChans)
            throw new ModelSpecException(name() + " takes " + inChans + "-channel input, got " + channels);
        if (h < stride() || w < stride()) {
            throw new ModelSpecException("input size " + h + "x" + w + " is too small for " + name() + " (at least "
                    + stride() + "x" + stride() + ")");
        }
    }

    @Override
    public Graph build(Weights W, int batch, int h, int w) {
        return graph(W, batch, h, w, true);
    }

    @Override
    public Graph buildFeatures(Weights W, int batch, int h, int w) {
        return graph(W, batch, h, w, false);
    }

    private Graph graph(Weights W, int batch, int h, int w, boolean classifier) {
        checkInput(inChans, h, w);
        Graph g = new Graph();
        Value x = g.input("input", batch, h, w, inChans);
        Block stem = g.block("stem", "Stem");
        x = convNorm(g, W, stem, "stem.conv1", x, dims[0] / 2, 3, 2, false, Act.GELU);
        x = convNorm(g, W, stem, "stem.conv2", x, dims[0], 3, 2, false, Act.NONE);
        for (int i = 0; i < dims.length; i++) {
            String sp = "stages." + i;
            if (i > 0) {
                String dp = sp + ".downsample";
                Block ds = g.block(dp, "RepVitDownsample");
                x = block(g, W, ds, dp + ".pre_block", x, false);
                x = convNorm(g, W, ds, dp + ".spatial_downsample", x, x.c(), kernel, 2, true, Act.NONE);
                x = convNorm(g, W, ds, dp + ".channel_downsample", x, dims[i], 1, 1, false, Act.NONE);
                x = mlpResidual(g, W, ds, dp + ".ffn", x);
            }
            boolean se = true;
            for (int j = 0; j < depths[i]; j++) {
                String bp = sp + ".blocks." + j;
                x = block(g, W, g.block(bp, "RepViTBlock"), bp, x, se);
                se = !se;
            }
            g.output("features." + i, x);
        }
        if (!classifier) return g;
        Block head = g.block("head", "Head");
        x = g.add(head, "global_pool", new AvgPoolOp(), x);
        if (numClasses() > 0) x = g.add(head, "head", classifierOp(W, x.c()), x);
        g.output("logits", x);
        return g;
    }

    /** ConvNorm: a bias-free conv with its BatchNorm (keys PREFIX.c, PREFIX.bn) folded in; padding (k - 1) / 2. */
    private static Value convNorm(
            Graph g, Weights W, Block b, String prefix, Value x, int out, int k, int stride, boolean dw, Act a) {
        int p = (k - 1) / 2;
        int[] pad = {p, p};
        return Layers.convBn(g, W, b, prefix + ".c", prefix + ".bn", x, out, k, stride, 1, pad, pad, dw, a, BN_EPS);
    }

    /** RepViTBlock: token mixer, squeeze-excite where {@code se}, then x + MLP(x). */
    private Value block(Graph g, Weights W, Block b, String prefix, Value x, boolean se) {
        x = g.add(b, prefix + ".token_mixer", tokenMixer(W, prefix + ".token_mixer", x.c()), x);
        if (se) x = squeezeExcite(g, W, b, prefix + ".se", x);
        return mlpResidual(g, W, b, prefix + ".channel_mixer", x);
    }

    /** RepVitMlp with the residual around it: x + conv2(GELU(conv1(x))), both 1x1 ConvNorms. */
    private Value mlpResidual(Graph g, Weights W, Block b, String prefix, Value x) {
        int c = x.c();
        Value y = convNorm(g, W, b, prefix + ".conv1", x, c * mlpRatio, 1, 1, false, Act.GELU);
        y = convNorm(g, W, b, prefix + ".conv2", y, c, 1, 1, false, Act.NONE);
        return g.add(b, prefix + ".residual", new AddOp(Act.NONE), y, x);
    }

    /**
     * RepVggDw as one depthwise conv: BN(convnorm_k(x) + conv_1x1(x) + x). The 1x1 branch and the
     * identity land on the kernel's centre tap; the legacy form has a BatchNorm on the 1x1 branch
     * and none after the sum.
     */
    private DwConvOp tokenMixer(Weights W, String prefix, int c) {
        int k = kernel, centre = (k / 2) * k + k / 2;
        Relayout.Folded main = fold(W, prefix + ".conv.c", prefix + ".conv.bn", c, k);
        Relayout.Folded one = legacy
                ? fold(W, prefix + ".conv1.c", prefix + ".conv1.bn", c, 1)
                : new Relayout.Folded(W.get(prefix + ".conv1.weight", c, 1, 1, 1), W.get(prefix + ".conv1.bias", c));
        float[] wt = main.weight().data().clone(), bias = main.bias().data().clone();
        for (int ch = 0; ch < c; ch++) {
            wt[ch * k * k + centre] += one.weight().data()[ch] + 1f;
            bias[ch] += one.bias().data()[ch];
        }
        HostTensor weight = new HostTensor(new int[] {c, 1, k, k}, wt);
        HostTensor b = new HostTensor(new int[] {c}, bias);
        if (!legacy) {
            Relayout.Folded f = foldBn(W, weight, b, prefix + ".bn", c);
            weight = f.weight();
            b = f.bias();
        }
        int p = (k - 1) / 2;
        return new DwConvOp(Relayout.depthwise(weight), b, k, k, 1, p, p, p, p, 1, Act.NONE, 1);
    }

    /** A depthwise conv's weight [C, 1, k, k] with its BatchNorm folded in. */
    private static Relayout.Folded fold(Weights W, String conv, String bn, int c, int k) {
        return foldBn(W, W.get(conv + ".weight", c, 1, k, k), null, bn, c);
    }

    /** {@code weight} and {@code bias} (or null) with the BatchNorm of keys {@code bn}.* after them folded in. */
    private static Relayout.Folded foldBn(Weights W, HostTensor weight, HostTensor bias, String bn, int c) {
        return Relayout.foldBatchNorm(
                weight,
                bias,
                W.get(bn + ".weight", c),
                W.get(bn + ".bias", c),
                W.buffer(bn + ".running_mean", c),
                W.buffer(bn + ".running_var", c),
                BN_EPS);
    }

    /** timm's SEModule: mean, fc1 (ReLU), fc2 (sigmoid), scale; reduced width make_divisible(c / 4, 8). */
    private static Value squeezeExcite(Graph g, Weights W, Block b, String p, Value x) {
        int rd = Math.max(8, (int) (x.c() * 0.25 + 4) / 8 * 8);
        return Layers.squeezeExcite(g, W, b, p, "pool", "fc1", "fc2", x, rd, Act.RELU, Act.SIGMOID);
    }

    /**
     * The classifier as one Linear: each NormLinear (BatchNorm1d then Linear) folded,
     * W' = W · diag(s), b' = W · (beta - mean · s) + b with s = gamma / sqrt(var + eps), and with
     * distillation the head and head_dist averaged, as timm's eval forward does.
     */
    private GemmOp classifierOp(Weights W, int c) {
        int n = numClasses();
        float[] wSum = new float[n * c], bSum = new float[n];
        String[] heads = distillation ? new String[] {"head.head", "head.head_dist"} : new String[] {"head.head"};
        for (String h : heads) {
            Relayout.Folded bn = Relayout.batchNormAffine(
                    W.get(h + ".bn.weight", c),
                    W.get(h + ".bn.bias", c),
                    W.buffer(h + ".bn.running_mean", c),
                    W.buffer(h + ".bn.running_var", c),
                    BN_EPS);
            float[] wt = W.get(h + ".l.weight", n, c).data(),
                    lb = W.get(h + ".l.bias", n).data();
            float[] s = bn.weight().data(), t = bn.bias().data();
            for (int o = 0; o < n; o++) {
                double acc = lb[o];
                for (int i = 0; i < c; i++) {
                    wSum[o * c + i] += wt[o * c + i] * s[i] / heads.length;
                    acc += (double) wt[o * c + i] * t[i];
                }
                bSum[o] += (float) (acc / heads.length);
            }
        }
        HostTensor weight = new HostTensor(new int[] {n, c}, wSum);
        return new GemmOp(Relayout.linear(weight), new HostTensor(new int[] {n}, bSum), Act.NONE, null, false);
    }
}
