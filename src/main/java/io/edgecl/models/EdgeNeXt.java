package io.edgecl.models;

import com.google.gson.JsonObject;
import io.edgecl.graph.AddConstOp;
import io.edgecl.graph.AvgPoolOp;
import io.edgecl.graph.Block;
import io.edgecl.graph.ChannelAttentionOp;
import io.edgecl.graph.ConvOp;
import io.edgecl.graph.DwConvOp;
import io.edgecl.graph.GemmOp;
import io.edgecl.graph.Graph;
import io.edgecl.graph.OpSpec;
import io.edgecl.graph.ScaleAddOp;
import io.edgecl.graph.SplitCascadeOp;
import io.edgecl.graph.Value;
import io.edgecl.io.image.Preprocess;
import io.edgecl.ops.Act;
import io.edgecl.ops.Conv2d;
import io.edgecl.tensor.HostTensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * EdgeNeXt (Maaz et al., 2022) as timm defines it: a convolutional stem, four stages of
 * conv encoders (depthwise conv, LayerNorm, inverted MLP, layer scale) and split depth-wise
 * transpose attention (SDTA) blocks, global pooling, LayerNorm and a classifier.
 */
public final class EdgeNeXt extends Network.Configured<EdgeNeXt.Config> {
    static final float EPS = 1e-6f;

    /** Constructor arguments under timm's names, with timm's defaults. */
    public record Config(
            String name,
            int[] dims,
            int[] depths,
            int[] globalBlockCounts,
            int[] kernelSizes,
            int[] heads,
            int[] d2Scales,
            boolean[] usePosEmb,
            int expandRatio,
            boolean downsampleBlock,
            boolean convBias,
            String stemType,
            boolean headNormFirst,
            int numClasses,
            int inChans,
            double cropPct) {}

    /** Registered variants and their timm arguments. */
    public static final Map<String, String> VARIANTS = new LinkedHashMap<>();

    static {
        VARIANTS.put("edgenext_xx_small", "{\"depths\":[2,2,6,2],\"dims\":[24,48,88,168],\"heads\":[4,4,4,4]}");
        VARIANTS.put("edgenext_x_small", "{\"depths\":[3,3,9,3],\"dims\":[32,64,100,192],\"heads\":[4,4,4,4]}");
        VARIANTS.put("edgenext_small", "{\"depths\":[3,3,9,3],\"dims\":[48,96,160,304],\"crop_pct\":0.95}");
        VARIANTS.put("edgenext_base", "{\"depths\":[3,3,9,3],\"dims\":[80,160,288,584],\"crop_pct\":0.95}");
        VARIANTS.put(
                "edgenext_small_rw",
                "{\"depths\":[3,3,9,3],\"dims\":[48,96,192,384],"
                        + "\"downsample_block\":true,\"conv_bias\":false,\"stem_type\":\"overlap\"}");
    }

    public EdgeNeXt(Config cfg) {
        super(cfg.name, "edgenext", cfg.numClasses, cfg);
    }

    /** Parses a configuration; {@code name} is the registered name or null for a custom one. */
    public static EdgeNeXt fromJson(String name, JsonObject json) {
        SpecReader r = new SpecReader(json, "edgenext");
        int[] dims = r.ints("dims", new int[] {24, 48, 88, 168}, 4);
        int[] depths = r.ints("depths", new int[] {3, 3, 9, 3}, 4);
        int[] gbc = r.ints("global_block_counts", new int[] {0, 1, 1, 1}, 4);
        int[] ks = r.ints("kernel_sizes", new int[] {3, 5, 7, 9}, 4);
        int[] heads = r.ints("heads", new int[] {8, 8, 8, 8}, 4);
        int[] scales = r.ints("d2_scales", new int[] {2, 2, 3, 4}, 4);
        boolean[] pos = r.bools("use_pos_emb", new boolean[] {false, true, false, false}, 4);
        double ls = r.number("ls_init_value", 1e-6);
        int expand = r.integer("expand_ratio", 4);
        boolean dsBlock = r.bool("downsample_block", false);
        boolean bias = r.bool("conv_bias", true);
        String stem = r.string("stem_type", "patch", "patch", "overlap");
        boolean headNormFirst = r.bool("head_norm_first", false);
        int classes = r.integer("num_classes", 1000);
        int inChans = r.integer("in_chans", 3);
        double crop = r.number("crop_pct", 0.9);
        r.string("global_pool", "avg", "avg");
        r.string("act_layer", "gelu", "gelu");
        r.ignore("drop_path_rate", "drop_rate", "head_init_scale", "pretrained_cfg");
        r.finish();
        if (ls <= 0)
            throw new ModelSpecException(
                    "edgenext configuration: ls_init_value <= 0 (no layer scale) is not supported");
        for (int i = 0; i < 4; i++) {
            if (dims[i] <= 0 || depths[i] < 0 || heads[i] <= 0 || ks[i] <= 0 || ks[i] % 2 == 0) {
                throw new ModelSpecException("edgenext configuration: stage " + i + " has dims=" + dims[i] + ", depths="
                        + depths[i] + ", heads=" + heads[i] + ", kernel_sizes=" + ks[i]
                        + " (need positive values and an odd kernel)");
            }
            if (gbc[i] > depths[i] || gbc[i] < 0) {
                throw new ModelSpecException("edgenext configuration: global_block_counts[" + i + "]=" + gbc[i]
                        + " exceeds depths[" + i + "]=" + depths[i]);
            }
            if (gbc[i] > 0) {
                if (dims[i] % heads[i] != 0) {
                    throw new ModelSpecException("edgenext configuration: dims[" + i + "]=" + dims[i]
                            + " is not divisible by heads[" + i + "]=" + heads[i]);
                }
                splitWidth(dims[i], scales[i], i);
            }
            if (dsBlock && gbc[i] == depths[i] && depths[i] > 0 && (i > 0 || dims[0] != dims[i])) {
                throw new ModelSpecException("edgenext configuration: with downsample_block the first block of stage "
                        + i + " must be a conv block (global_block_counts[" + i + "] < depths[" + i + "])");
            }
        }
        if (classes < 0 || inChans <= 0)
            throw new ModelSpecException("edgenext configuration: bad num_classes/in_chans");
        return new EdgeNeXt(new Config(
                name == null ? "custom edgenext" : name,
                dims,
                depths,
                gbc,
                ks,
                heads,
                scales,
                pos,
                expand,
                dsBlock,
                bias,
                stem,
                headNormFirst,
                classes,
                inChans,
                crop));
    }

    /** Width of the SDTA's depthwise convs, checked against how torch.chunk splits the channels. */
    static int splitWidth(int dim, int scales, int stage) {
        if (scales < 2) {
            throw new ModelSpecException(
                    "edgenext configuration: d2_scales[" + stage + "]=" + scales + " must be at least 2");
        }
        int width = Math.max((dim + scales - 1) / scales, dim / scales);
        int convs = scales - 1;
        if (dim - convs * width <= 0) {
            throw new ModelSpecException("edgenext configuration: dims[" + stage + "]=" + dim + " cannot be split into "
                    + scales + " chunks of " + width + " channels (d2_scales[" + stage + "])");
        }
        return width;
    }

    @Override
    public Preprocess preprocess() {
        return Preprocess.imagenet(256, cfg.cropPct);
    }

    @Override
    public List<String> featureNames() {
        return List.of("features.0", "features.1", "features.2", "features.3");
    }

    private int stemOut(int s) {
        return cfg.stemType.equals("patch") ? Conv2d.outSize(s, 4, 4, 0) : Conv2d.outSize(s, 9, 4, 4);
    }

    @Override
    public void checkInput(int channels, int h, int w) {
        if (channels != cfg.inChans) {
            throw new ModelSpecException(cfg.name + " takes " + cfg.inChans + "-channel input, got " + channels);
        }
        int sh = h < 4 ? 0 : stemOut(h), sw = w < 4 ? 0 : stemOut(w);
        for (int i = 1; i < 4; i++) {
            int k = cfg.downsampleBlock ? cfg.kernelSizes[i] : 2, p = cfg.downsampleBlock ? Layers.pad(k, 2) : 0;
            sh = Conv2d.outSize(sh, k, 2, p);
            sw = Conv2d.outSize(sw, k, 2, p);
        }
        if (sh < 1 || sw < 1) {
            throw new ModelSpecException("input size " + h + "x" + w + " is too small for " + cfg.name
                    + " (stride 32: at least 32x32; default " + preprocess().size() + ")");
        }
    }

    /** Reads the spec fields the file determines and records those that differ from the config. */
    private void diagnose(Weights W) {
        if (W.isSynthetic()) return;
        int[] fileDims = new int[4], fileDepths = new int[4], fileKernels = new int[4], fileHeads = new int[4];
        for (int i = 0; i < 4; i++) {
            for (String k : W.keys()) {
                String p = "stages." + i + ".blocks.";
                if (k.startsWith(p)) {
                    int j = Integer.parseInt(k.substring(p.length(), k.indexOf('.', p.length())));
                    fileDepths[i] = Math.max(fileDepths[i], j + 1);
                }
            }
            int[] g = W.shapeOf("stages." + i + ".blocks.0.gamma");
            if (g != null) fileDims[i] = g[0];
            int[] dw = W.shapeOf("stages." + i + ".blocks.0.conv_dw.weight");
            if (dw != null) fileKernels[i] = dw[2];
            for (int j = 0; j < fileDepths[i]; j++) {
                int[] t = W.shapeOf("stages." + i + ".blocks." + j + ".xca.temperature");
                if (t != null) fileHeads[i] = t[0];
            }
        }
        compare(W, "dims", fileDims, cfg.dims);
        compare(W, "depths", fileDepths, cfg.depths);
        int[] kernels = cfg.kernelSizes.clone(), heads = cfg.heads.clone();
        for (int i = 0; i < 4; i++) {
            if (fileKernels[i] == 0) kernels[i] = 0;
            if (fileHeads[i] == 0) heads[i] = 0;
        }
        compare(W, "kernel_sizes", fileKernels, kernels);
        compare(W, "heads", fileHeads, heads);
        int[] fc = W.shapeOf("head.fc.weight");
        if (fc != null && fc[0] != cfg.numClasses) {
            W.diagnose("num_classes: the file has " + fc[0] + ", the spec " + cfg.numClasses);
        }
        if (W.has("stem.0.weight") && W.shapeOf("stem.0.weight").length == 4) {
            int k = W.shapeOf("stem.0.weight")[2];
            String stem = k == 4 ? "patch" : k == 9 ? "overlap" : "?";
            if (!stem.equals(cfg.stemType))
                W.diagnose("stem_type: the file's stem is " + k + "x" + k + " ('" + stem + "'), the spec says '"
                        + cfg.stemType + "'");
        }
        boolean fileBias = W.has("stem.0.bias");
        if (W.has("stem.0.weight") && fileBias != cfg.convBias) {
            W.diagnose("conv_bias: the file's convs " + (fileBias ? "have" : "have no") + " bias, the spec says "
                    + cfg.convBias);
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
        int[] dims = cfg.dims;

        Block stem = g.block("stem", "Stem");
        int k = cfg.stemType.equals("patch") ? 4 : 9;
        int p = cfg.stemType.equals("patch") ? 0 : 4;
        HostTensor sw = W.get("stem.0.weight", "dims[0]", dims[0], cfg.inChans, k, k);
        HostTensor sb = cfg.convBias ? W.get("stem.0.bias", dims[0]) : null;
        x = g.add(stem, "stem.0", new ConvOp(Relayout.conv(sw), sb, k, k, 4, p, p, Act.NONE), x);
        x = g.add(stem, "stem.1", layerNorm(W, "stem.1", dims[0]), x);

        int inChs = dims[0];
        for (int i = 0; i < 4; i++) {
            int stride = i > 0 ? 2 : 1;
            String sp = "stages." + i;
            if (!cfg.downsampleBlock && stride > 1) {
                Block ds = g.block(sp + ".downsample", "Downsample");
                x = g.add(ds, sp + ".downsample.0", layerNorm(W, sp + ".downsample.0", inChs), x);
                HostTensor dw = W.get(sp + ".downsample.1.weight", "dims[" + i + "]", dims[i], inChs, 2, 2);
                HostTensor db = cfg.convBias ? W.get(sp + ".downsample.1.bias", dims[i]) : null;
                x = g.add(ds, sp + ".downsample.1", new ConvOp(Relayout.conv(dw), db, 2, 2, 2, 0, 0, Act.NONE), x);
                inChs = dims[i];
            }
            for (int j = 0; j < cfg.depths[i]; j++) {
                String bp = sp + ".blocks." + j;
                if (j < cfg.depths[i] - cfg.globalBlockCounts[i]) {
                    int s = cfg.downsampleBlock && j == 0 ? stride : 1;
                    x = convBlock(g, W, bp, x, inChs, dims[i], s, cfg.kernelSizes[i], i);
                } else {
                    x = sdtaBlock(g, W, bp, x, inChs, i);
                }
                inChs = dims[i];
            }
            g.output("features." + i, x);
        }

        if (!classifier) return g;
        Block head = g.block("head", "Head");
        int c = dims[3];
        if (cfg.headNormFirst) x = g.add(head, "norm_pre", layerNorm(W, "norm_pre", c), x);
        x = g.add(head, "head.global_pool", new AvgPoolOp(), x);
        if (!cfg.headNormFirst) x = g.add(head, "head.norm", layerNorm(W, "head.norm", c), x);
        if (cfg.numClasses > 0) {
            HostTensor fw = W.get("head.fc.weight", "num_classes", cfg.numClasses, c);
            HostTensor fb = W.get("head.fc.bias", "num_classes", cfg.numClasses);
            x = g.add(head, "head.fc", new GemmOp(Relayout.linear(fw), fb, Act.NONE, null, false), x);
        }
        g.output("logits", x);
        return g;
    }

    private static OpSpec layerNorm(Weights W, String prefix, int c) {
        return Layers.layerNorm(W, prefix, c, EPS);
    }

    private Value convBlock(Graph g, Weights W, String bp, Value x, int dim, int dimOut, int stride, int k, int stage) {
        Block b = g.block(bp, stride > 1 ? "ConvBlock/2" : "ConvBlock");
        int mult = dimOut / dim;
        if (dimOut % dim != 0) {
            throw new ModelSpecException("edgenext configuration: dims[" + stage + "]=" + dimOut
                    + " must be a multiple of the previous stage's " + dim + " with downsample_block");
        }
        HostTensor dw = W.get(bp + ".conv_dw.weight", "kernel_sizes[" + stage + "]", dimOut, 1, k, k);
        HostTensor db = cfg.convBias ? W.get(bp + ".conv_dw.bias", dimOut) : null;
        int pd = Layers.pad(k, stride);
        Value shortcut = x;
        Value y = g.add(
                b, bp + ".conv_dw", new DwConvOp(Relayout.depthwise(dw), db, k, k, stride, pd, pd, mult, Act.NONE), x);
        if (stride > 1 || dim != dimOut) shortcut = y;
        y = g.add(b, bp + ".norm", layerNorm(W, bp + ".norm", dimOut), y);
        return mlp(g, W, b, bp, y, shortcut, dimOut);
    }

    /** LayerNorm'd input → fc1 → GELU → fc2 → × gamma → + shortcut. */
    private Value mlp(Graph g, Weights W, Block b, String bp, Value y, Value shortcut, int c) {
        return Layers.mlpResidual(g, W, b, bp, y, shortcut, c, cfg.expandRatio * c);
    }

    private Value sdtaBlock(Graph g, Weights W, String bp, Value x, int dim, int stage) {
        Block b = g.block(bp, "SDTA");
        int scales = cfg.d2Scales[stage];
        int width = splitWidth(dim, scales, stage);
        int convs = Math.max(1, scales - 1);
        List<HostTensor> ws = new ArrayList<>(), bs = new ArrayList<>();
        for (int i = 0; i < convs; i++) {
            ws.add(Relayout.depthwise(
                    W.get(bp + ".convs." + i + ".weight", "d2_scales[" + stage + "]", width, 1, 3, 3)));
            bs.add(cfg.convBias ? W.get(bp + ".convs." + i + ".bias", width) : null);
        }
        int h = x.h(), w = x.w();
        Value shortcut = x;
        Value y = g.add(b, bp + ".convs", new SplitCascadeOp(width, ws, bs, 3), x);
        if (cfg.usePosEmb[stage]) {
            HostTensor pw = W.get(bp + ".pos_embd.token_projection.weight", dim, 64, 1, 1);
            HostTensor pb = W.get(bp + ".pos_embd.token_projection.bias", dim);
            y = g.add(
                    b,
                    bp + ".pos_embd",
                    new AddConstOp(PositionalEncoding.fourier(pw, pb, h, w), (long) h * w * 64 * dim),
                    y);
        }
        int heads = cfg.heads[stage];
        Value n1 = g.add(b, bp + ".norm_xca", layerNorm(W, bp + ".norm_xca", dim), y);
        HostTensor qw = W.get(bp + ".xca.qkv.weight", "dims[" + stage + "]", 3 * dim, dim);
        HostTensor qb = W.get(bp + ".xca.qkv.bias", 3 * dim);
        Value qkv = g.add(b, bp + ".xca.qkv", new GemmOp(Relayout.linear(qw), qb, Act.NONE, null, false), n1);
        HostTensor temp = W.get(bp + ".xca.temperature", "heads[" + stage + "]", heads, 1, 1);
        Value att = g.add(b, bp + ".xca.attn", new ChannelAttentionOp(temp.reshape(heads), heads, false), qkv);
        HostTensor pw = W.get(bp + ".xca.proj.weight", dim, dim);
        HostTensor pb = W.get(bp + ".xca.proj.bias", dim);
        Value proj = g.add(b, bp + ".xca.proj", new GemmOp(Relayout.linear(pw), pb, Act.NONE, null, false), att);
        y = g.add(b, bp + ".gamma_xca", new ScaleAddOp(W.get(bp + ".gamma_xca", dim)), proj, y);
        Value n2 = g.add(b, bp + ".norm", layerNorm(W, bp + ".norm", dim), y);
        return mlp(g, W, b, bp, n2, shortcut, dim);
    }

    @Override
    public String toString() {
        return cfg.name + " dims=" + Arrays.toString(cfg.dims) + " depths=" + Arrays.toString(cfg.depths);
    }
}
