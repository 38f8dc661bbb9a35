package io.edgecl.models;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.edgecl.graph.ActivationOp;
import io.edgecl.graph.AddOp;
import io.edgecl.graph.AffineOp;
import io.edgecl.graph.AvgPoolOp;
import io.edgecl.graph.Block;
import io.edgecl.graph.ConvOp;
import io.edgecl.graph.DwConvOp;
import io.edgecl.graph.DwConvTransposeOp;
import io.edgecl.graph.GemmOp;
import io.edgecl.graph.Graph;
import io.edgecl.graph.Pool2dOp;
import io.edgecl.graph.SelfAttentionOp;
import io.edgecl.graph.Value;
import io.edgecl.io.image.Preprocess;
import io.edgecl.ops.Act;
import io.edgecl.ops.Attention;
import io.edgecl.ops.Conv2d;
import io.edgecl.tensor.HostTensor;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * EdgeViT (Pan et al., 2022) as the official repository (saic-fi/edgevit) defines it: four
 * stages, each a patch embedding (strided conv + LayerNorm) and local-global-local blocks. A block
 * is local aggregation (BatchNorm'd 1x1 / depthwise 5x5 / 1x1 convs and a conv MLP; absent when
 * the stage's sr ratio is 1) followed by global sparse attention: tokens subsampled by sr attend
 * to each other, a depthwise transposed conv propagates the result back to full resolution. Then
 * BatchNorm, global average pooling and a linear classifier. Keys are the repository's names.
 */
public final class EdgeViT extends Network.Configured<EdgeViT.Config> {
    /** The blocks' LayerNorms (norm_layer = LayerNorm(eps=1e-6)). */
    static final float EPS_BLOCK = 1e-6f;
    /** nn.LayerNorm defaults: PatchEmbed.norm and GlobalSparseAttn.norm. */
    static final float EPS_LN_DEFAULT = 1e-5f;
    /** nn.BatchNorm2d default. */
    static final double EPS_BN = 1e-5;

    /** Constructor arguments of the repository's EdgeVit, under its names. */
    public record Config(
            String name,
            int[] depth,
            int[] embedDim,
            int headDim,
            double[] mlpRatio,
            boolean qkvBias,
            double qkScale,
            int[] srRatios,
            int numClasses,
            int inChans,
            int imgSize) {}

    /** The repository's registered variants and their arguments. */
    public static final Map<String, String> VARIANTS = new LinkedHashMap<>();

    static {
        VARIANTS.put(
                "edgevit_xxs",
                "{\"depth\":[1,1,3,2],\"embed_dim\":[36,72,144,288],\"head_dim\":36,"
                        + "\"mlp_ratio\":[4,4,4,4],\"qkv_bias\":true,\"sr_ratios\":[4,2,2,1]}");
        VARIANTS.put(
                "edgevit_xs",
                "{\"depth\":[1,1,3,1],\"embed_dim\":[48,96,240,384],\"head_dim\":48,"
                        + "\"mlp_ratio\":[4,4,4,4],\"qkv_bias\":true,\"sr_ratios\":[4,2,2,1]}");
        VARIANTS.put(
                "edgevit_s",
                "{\"depth\":[1,2,5,3],\"embed_dim\":[48,96,240,384],\"head_dim\":48,"
                        + "\"mlp_ratio\":[4,4,4,4],\"qkv_bias\":true,\"sr_ratios\":[4,2,2,1]}");
    }

    public EdgeViT(Config cfg) {
        super(cfg.name, "edgevit", cfg.numClasses, cfg);
    }

    /** Parses a configuration; {@code name} is the registered name or null for a custom one. */
    public static EdgeViT fromJson(String name, JsonObject json) {
        SpecReader r = new SpecReader(json, "edgevit");
        int[] depth = r.ints("depth", new int[] {1, 2, 5, 3}, 4);
        int[] dims = r.ints("embed_dim", new int[] {48, 96, 240, 384}, 4);
        int headDim = r.integer("head_dim", 64);
        double[] mlp = mlpRatio(json.get("mlp_ratio"));
        r.ignore("mlp_ratio");
        boolean qkvBias = r.bool("qkv_bias", true);
        double qkScale = r.number("qk_scale", 0);
        int[] sr = r.ints("sr_ratios", new int[] {4, 2, 2, 1}, 4);
        int classes = r.integer("num_classes", 1000);
        int inChans = r.integer("in_chans", 3);
        int imgSize = r.integer("img_size", 224);
        if (r.integer("representation_size", 0) != 0) {
            throw new ModelSpecException(
                    "edgevit configuration: representation_size (a pre-logits layer) is not " + "supported");
        }
        r.ignore("drop_rate", "attn_drop_rate", "drop_path_rate", "pretrained");
        r.finish();
        if (headDim <= 0)
            throw new ModelSpecException("edgevit configuration: head_dim must be positive, got " + headDim);
        if (classes < 0) throw new ModelSpecException("edgevit configuration: num_classes must be >= 0");
        if (inChans <= 0) throw new ModelSpecException("edgevit configuration: in_chans must be positive");
        if (imgSize <= 0) throw new ModelSpecException("edgevit configuration: img_size must be positive");
        for (int i = 0; i < 4; i++) {
            if (dims[i] <= 0 || depth[i] < 0) {
                throw new ModelSpecException("edgevit configuration: stage " + i + " has embed_dim=" + dims[i]
                        + ", depth=" + depth[i] + " (need a positive width and a depth >= 0)");
            }
            if (sr[i] < 1) {
                throw new ModelSpecException("edgevit configuration: sr_ratios[" + i + "]=" + sr[i] + " must be >= 1");
            }
            if (mlp[i] <= 0 || (int) (dims[i] * mlp[i]) < 1) {
                throw new ModelSpecException("edgevit configuration: mlp_ratio[" + i + "]=" + mlp[i]
                        + " gives no hidden units for embed_dim " + dims[i]);
            }
            if (depth[i] == 0) continue;
            int heads = dims[i] / headDim;
            if (heads < 1) {
                throw new ModelSpecException("edgevit configuration: embed_dim[" + i + "]=" + dims[i]
                        + " is smaller than head_dim=" + headDim + " (no attention head)");
            }
            if (dims[i] % heads != 0) {
                throw new ModelSpecException(
                        "edgevit configuration: embed_dim[" + i + "]=" + dims[i] + " does not split" + " into " + heads
                                + " heads (embed_dim / head_dim, rounded down) of equal width");
            }
            if (dims[i] / heads > Attention.MAX_HEAD_DIM) {
                throw new ModelSpecException("edgevit configuration: stage " + i + " attends with heads of "
                        + dims[i] / heads + " channels (embed_dim[" + i + "]=" + dims[i] + ", head_dim=" + headDim
                        + "); at most " + Attention.MAX_HEAD_DIM + " are supported");
            }
        }
        return new EdgeViT(new Config(
                name == null ? "custom edgevit" : name,
                depth,
                dims,
                headDim,
                mlp,
                qkvBias,
                qkScale,
                sr,
                classes,
                inChans,
                imgSize));
    }

    /** mlp_ratio: one number per stage; a single number stands for all four (the constructor's default 4.0). */
    private static double[] mlpRatio(JsonElement e) {
        double[] out = new double[4];
        if (e == null || e.isJsonNull()) {
            Arrays.fill(out, 4.0);
            return out;
        }
        if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber()) {
            Arrays.fill(out, e.getAsDouble());
            return out;
        }
        if (!e.isJsonArray() || e.getAsJsonArray().size() != 4) {
            throw new ModelSpecException("edgevit configuration: 'mlp_ratio' must be a list of 4 numbers");
        }
        JsonArray a = e.getAsJsonArray();
        for (int i = 0; i < 4; i++) {
            JsonElement x = a.get(i);
            if (!x.isJsonPrimitive() || !x.getAsJsonPrimitive().isNumber()) {
                throw new ModelSpecException("edgevit configuration: 'mlp_ratio' must be a list of 4 numbers");
            }
            out[i] = x.getAsDouble();
        }
        return out;
    }

    @Override
    public Preprocess preprocess() {
        // the repository's eval transform: resize to 256/224 of the size, center crop, bicubic
        return Preprocess.imagenet(cfg.imgSize, 0.875);
    }

    @Override
    public List<String> featureNames() {
        return List.of("features.0", "features.1", "features.2", "features.3");
    }

    @Override
    public String canonicalKeyFormat() {
        return "official";
    }

    /** Tokens per side after each patch embedding (kernel = stride convs: 4, then 2, 2, 2). */
    private static int[] stageSizes(int s) {
        int[] out = new int[4];
        out[0] = Conv2d.outSize(s, 4, 4, 0);
        for (int i = 1; i < 4; i++) out[i] = Conv2d.outSize(out[i - 1], 2, 2, 0);
        return out;
    }

    /** The smallest step of input sizes that keeps every attended stage divisible by its sr ratio. */
    private int sizeStep() {
        long step = 32;
        for (int i = 0; i < 4; i++) {
            if (cfg.depth[i] > 0) step = lcm(step, (4L << i) * cfg.srRatios[i]);
        }
        return (int) step;
    }

    @Override
    public void checkInput(int channels, int h, int w) {
        if (channels != cfg.inChans) {
            throw new ModelSpecException(cfg.name + " takes " + cfg.inChans + "-channel input, got " + channels);
        }
        int[] hs = stageSizes(h), ws = stageSizes(w);
        if (hs[3] < 1 || ws[3] < 1) {
            throw new ModelSpecException("input size " + h + "x" + w + " is too small for " + cfg.name
                    + " (stride 32: at least 32x32; default " + cfg.imgSize + ")");
        }
        for (int i = 0; i < 4; i++) {
            int sr = cfg.srRatios[i];
            if (cfg.depth[i] > 0 && sr > 1 && (hs[i] % sr != 0 || ws[i] % sr != 0)) {
                throw new ModelSpecException("input size " + h + "x" + w + " does not fit " + cfg.name + ": stage " + i
                        + " has " + hs[i] + "x" + ws[i] + " tokens, not divisible by sr_ratios[" + i + "]=" + sr
                        + " (the sparse attention subsamples by it); use a multiple of " + sizeStep()
                        + " (default " + cfg.imgSize + ")");
            }
        }
    }

    /** Reads the spec fields the file determines and records those that differ from the config. */
    private void diagnose(Weights W) {
        if (W.isSynthetic()) return;
        int[] fileDims = new int[4], fileDepth = new int[4], fileSr = new int[4], fileHidden = new int[4];
        int[] hidden = new int[4], srs = new int[4];
        for (int i = 0; i < 4; i++) {
            int[] pe = W.shapeOf("patch_embed" + (i + 1) + ".proj.weight");
            if (pe != null) fileDims[i] = pe[0];
            String p = "blocks" + (i + 1) + ".";
            for (String k : W.keys()) {
                if (k.startsWith(p) && k.indexOf('.', p.length()) > p.length()) {
                    try {
                        int j = Integer.parseInt(k.substring(p.length(), k.indexOf('.', p.length())));
                        fileDepth[i] = Math.max(fileDepth[i], j + 1);
                    } catch (NumberFormatException ignored) {
                        // not a block index: reported as an unexpected key
                    }
                }
            }
            if (fileDepth[i] > 0 && cfg.depth[i] > 0) {
                int[] lp = W.shapeOf(p + "0.SelfAttn.attn.LocalProp.weight");
                fileSr[i] = lp == null ? 1 : lp[2];
                srs[i] = cfg.srRatios[i];
                int[] fc1 = W.shapeOf(p + "0.SelfAttn.mlp.fc1.weight");
                if (fc1 != null) {
                    fileHidden[i] = fc1[0];
                    hidden[i] = (int) (cfg.embedDim[i] * cfg.mlpRatio[i]);
                }
            }
        }
        compare(W, "embed_dim", fileDims, cfg.embedDim);
        compare(W, "depth", fileDepth, cfg.depth);
        compare(W, "sr_ratios", fileSr, srs);
        compare(W, "MLP widths (embed_dim x mlp_ratio)", fileHidden, hidden);
        int[] head = W.shapeOf("head.weight");
        if (head != null && head[0] != cfg.numClasses) {
            W.diagnose("num_classes: the file has " + head[0] + ", the spec " + cfg.numClasses);
        }
        for (int i = 0; i < 4; i++) {
            String k = "blocks" + (i + 1) + ".0.SelfAttn.attn.qkv.";
            if (W.has(k + "weight") && W.has(k + "bias") != cfg.qkvBias) {
                W.diagnose("qkv_bias: the file's qkv " + (cfg.qkvBias ? "has no" : "has a") + " bias, the spec says "
                        + cfg.qkvBias);
                break;
            }
        }
    }

    private static void compare(Weights W, String field, int[] file, int[] spec) {
        if (!Arrays.equals(file, spec)) {
            W.diagnose(field + ": the file has " + Arrays.toString(file) + ", the spec " + Arrays.toString(spec));
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
        checkInput(cfg.inChans, h, w);
        diagnose(W);
        Graph g = new Graph();
        Value x = g.input("input", batch, h, w, cfg.inChans);
        int in = cfg.inChans;
        for (int i = 0; i < 4; i++) {
            int dim = cfg.embedDim[i];
            x = patchEmbed(g, W, "patch_embed" + (i + 1), x, in, dim, i == 0 ? 4 : 2, i);
            for (int j = 0; j < cfg.depth[i]; j++) {
                x = lglBlock(g, W, "blocks" + (i + 1) + "." + j, x, i);
            }
            g.output("features." + i, x);
            in = dim;
        }

        if (!classifier) return g;
        Block head = g.block("head", "Head");
        int c = cfg.embedDim[3];
        Relayout.Folded bn = batchNorm(W, "norm", c);
        // BatchNorm is per channel and so commutes with the average pool
        x = g.add(head, "avgpool", new AvgPoolOp(), x);
        if (cfg.numClasses > 0) {
            HostTensor hw = W.get("head.weight", "num_classes", cfg.numClasses, c);
            HostTensor hb = W.get("head.bias", "num_classes", cfg.numClasses);
            Relayout.Folded f = Relayout.foldIntoNext(hw, hb, bn);
            // the final BatchNorm is folded into the classifier that follows it
            x = g.add(head, "head", new GemmOp(Relayout.linear(f.weight()), f.bias(), Act.NONE, null, false), x);
        } else {
            x = g.add(head, "norm", new AffineOp(bn.weight(), bn.bias(), Act.NONE), x);
        }
        g.output("logits", x);
        return g;
    }

    private Value patchEmbed(Graph g, Weights W, String p, Value x, int in, int dim, int k, int stage) {
        Block b = g.block(p, "PatchEmbed");
        HostTensor cw = W.get(p + ".proj.weight", "embed_dim[" + stage + "]", dim, in, k, k);
        HostTensor cb = W.get(p + ".proj.bias", "embed_dim[" + stage + "]", dim);
        x = g.add(b, p + ".proj", new ConvOp(Relayout.conv(cw), cb, k, k, k, 0, 0, Act.NONE), x);
        return g.add(b, p + ".norm", Layers.layerNorm(W, p + ".norm", dim, EPS_LN_DEFAULT), x);
    }

    private Value lglBlock(Graph g, Weights W, String bp, Value x, int stage) {
        Block b = g.block(bp, "LGL");
        int dim = cfg.embedDim[stage], sr = cfg.srRatios[stage];
        int hidden = (int) (dim * cfg.mlpRatio[stage]);
        if (sr > 1) x = localAgg(g, W, b, bp + ".LocalAgg", x, dim, hidden, stage);
        return selfAttn(g, W, b, bp + ".SelfAttn", x, dim, hidden, sr, stage);
    }

    /** x + depthwise 3x3(x): the conditional positional encoding both halves of a block start with. */
    private static Value posEmbed(Graph g, Weights W, Block b, String p, Value x, int dim, int stage) {
        HostTensor pw = W.get(p + ".pos_embed.weight", "embed_dim[" + stage + "]", dim, 1, 3, 3);
        HostTensor pb = W.get(p + ".pos_embed.bias", dim);
        Value y = g.add(b, p + ".pos_embed", new DwConvOp(Relayout.depthwise(pw), pb, 3, 3, 1, 1, 1, 1, Act.NONE), x);
        return g.add(b, p + ".pos_embed.residual", new AddOp(Act.NONE), x, y);
    }

    private Value localAgg(Graph g, Weights W, Block b, String p, Value x, int dim, int hidden, int stage) {
        x = posEmbed(g, W, b, p, x, dim, stage);

        // norm1 (BatchNorm) → conv1 (1x1) → attn (depthwise 5x5) → conv2 (1x1), residual
        Relayout.Folded n1 = batchNorm(W, p + ".norm1", dim);
        Value y = g.add(b, p + ".conv1", pointwise(W, p + ".conv1", dim, dim, n1), x);
        HostTensor aw = W.get(p + ".attn.weight", dim, 1, 5, 5);
        HostTensor ab = W.get(p + ".attn.bias", dim);
        y = g.add(b, p + ".attn", new DwConvOp(Relayout.depthwise(aw), ab, 5, 5, 1, 2, 2, 1, Act.NONE), y);
        y = g.add(b, p + ".conv2", pointwise(W, p + ".conv2", dim, dim, null), y);
        x = g.add(b, p + ".residual1", new AddOp(Act.NONE), x, y);

        // norm2 (BatchNorm) → conv MLP, residual
        Relayout.Folded n2 = batchNorm(W, p + ".norm2", dim);
        y = g.add(b, p + ".mlp.fc1", pointwise(W, p + ".mlp.fc1", dim, hidden, n2), x);
        y = g.add(b, p + ".mlp.act", new ActivationOp(Act.GELU), y);
        y = g.add(b, p + ".mlp.fc2", pointwise(W, p + ".mlp.fc2", hidden, dim, null), y);
        return g.add(b, p + ".residual2", new AddOp(Act.NONE), x, y);
    }

    private Value selfAttn(Graph g, Weights W, Block b, String p, Value x, int dim, int hidden, int sr, int stage) {
        x = posEmbed(g, W, b, p, x, dim, stage);

        // global sparse attention on norm1(x). LayerNorm acts per token, so subsampling first
        // (AvgPool2d(kernel 1, stride sr): every sr-th token, no averaging) gives the same tokens
        String a = p + ".attn";
        Value t = x;
        if (sr > 1) t = g.add(b, a + ".sampler", new Pool2dOp(1, sr, 0, false, true), t);
        t = g.add(b, p + ".norm1", Layers.layerNorm(W, p + ".norm1", dim, EPS_BLOCK), t);
        HostTensor qw = W.get(a + ".qkv.weight", "embed_dim[" + stage + "]", 3 * dim, dim);
        HostTensor qb = cfg.qkvBias ? W.get(a + ".qkv.bias", 3 * dim) : null;
        t = g.add(b, a + ".qkv", new GemmOp(Relayout.linear(qw), qb, Act.NONE, null, false), t);
        int heads = dim / cfg.headDim;
        double scale = cfg.qkScale != 0 ? cfg.qkScale : Math.pow(dim / heads, -0.5);
        t = g.add(b, a, new SelfAttentionOp(heads, (float) scale, 1, 1), t);
        if (sr > 1) {
            HostTensor lw = W.get(a + ".LocalProp.weight", "sr_ratios[" + stage + "]", dim, 1, sr, sr);
            HostTensor lb = W.get(a + ".LocalProp.bias", dim);
            t = g.add(b, a + ".LocalProp", new DwConvTransposeOp(Relayout.depthwise(lw), lb, sr), t);
            t = g.add(b, a + ".norm", Layers.layerNorm(W, a + ".norm", dim, EPS_LN_DEFAULT), t);
        }
        t = g.add(b, a + ".proj", Layers.linear(W, a + ".proj", dim, dim, true, Act.NONE), t);
        x = g.add(b, p + ".residual1", new AddOp(Act.NONE), x, t);

        Value y = g.add(b, p + ".norm2", Layers.layerNorm(W, p + ".norm2", dim, EPS_BLOCK), x);
        y = g.add(b, p + ".mlp.fc1", Layers.linear(W, p + ".mlp.fc1", dim, hidden, true, Act.NONE), y);
        y = g.add(b, p + ".mlp.act", new ActivationOp(Act.GELU), y);
        y = g.add(b, p + ".mlp.fc2", Layers.linear(W, p + ".mlp.fc2", hidden, dim, true, Act.NONE), y);
        return g.add(b, p + ".residual2", new AddOp(Act.NONE), x, y);
    }

    /** An eval-mode BatchNorm2d as scale (in {@code weight}) and shift (in {@code bias}) per channel. */
    private static Relayout.Folded batchNorm(Weights W, String p, int c) {
        HostTensor gamma = W.get(p + ".weight", c);
        HostTensor beta = W.get(p + ".bias", c);
        HostTensor mean = W.buffer(p + ".running_mean", c);
        HostTensor var = W.buffer(p + ".running_var", c);
        return Relayout.batchNormAffine(gamma, beta, mean, var, EPS_BN);
    }

    /** A 1x1 conv (weight [out, in, 1, 1], with bias) as a GEMM, with a preceding BatchNorm folded in when given. */
    private static GemmOp pointwise(Weights W, String p, int in, int out, Relayout.Folded bn) {
        HostTensor wt = W.get(p + ".weight", out, in, 1, 1);
        HostTensor bias = W.get(p + ".bias", out);
        if (bn != null) {
            Relayout.Folded f = Relayout.foldIntoNext(wt, bias, bn);
            wt = f.weight();
            bias = f.bias();
        }
        return new GemmOp(Relayout.linear(wt), bias, Act.NONE, null, false);
    }

    @Override
    public String toString() {
        return cfg.name + " embed_dim=" + Arrays.toString(cfg.embedDim) + " depth=" + Arrays.toString(cfg.depth)
                + " sr_ratios=" + Arrays.toString(cfg.srRatios);
    }
}
