package io.edgecl.models;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.edgecl.graph.ActivationOp;
import io.edgecl.graph.AddOp;
import io.edgecl.graph.AvgPoolOp;
import io.edgecl.graph.Block;
import io.edgecl.graph.ConcatOp;
import io.edgecl.graph.ConvOp;
import io.edgecl.graph.DwConvOp;
import io.edgecl.graph.GemmOp;
import io.edgecl.graph.Graph;
import io.edgecl.graph.OpSpec;
import io.edgecl.graph.SelfAttentionOp;
import io.edgecl.graph.Value;
import io.edgecl.io.image.Preprocess;
import io.edgecl.ops.Act;
import io.edgecl.ops.Conv2d;
import io.edgecl.tensor.HostTensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * MobileViT (Mehta &amp; Rastegari, 2022) as timm builds it on its bring-your-own-blocks network:
 * a strided 3x3 stem, stages of inverted residuals (timm's bottleneck block with bottle_in and
 * linear_out) and MobileViT blocks (local conv, transformer over unfolded patches, fold,
 * projection and fusion with the block input), a final 1x1 conv and a pooled classifier.
 *
 * <p>The unfold/fold of a MobileViT block only regroups tokens: pixel (y, x) attends to every
 * pixel with the same (y mod patch_h, x mod patch_w). The LayerNorms, projections and MLPs are
 * per pixel, so the graph keeps the NHWC map and the attention op does the grouping.
 */
public final class MobileViT extends Network.Configured<MobileViT.Config> {
    static final double BN_EPS = 1e-5;
    /** nn.LayerNorm's default: MobileVitBlock's transformer_norm_layer. */
    static final float LN_EPS = 1e-5f;

    /** One block after timm's expand_blocks_cfg (d = 1), with the block_kwargs this family reads. */
    public record BlockCfg(
            String type,
            int c,
            int gs,
            double br,
            boolean bottleIn,
            boolean linearOut,
            int kernelSize,
            int transformerDim,
            int transformerDepth,
            int patchH,
            int patchW,
            int numHeads,
            double mlpRatio,
            boolean noFusion) {}

    /** ByoModelCfg / ByobNet arguments under timm's names; {@code stages} with per-stage strides. */
    public record Config(
            String name,
            List<List<BlockCfg>> stages,
            int[] strides,
            int stemChs,
            String downsample,
            Act act,
            String actName,
            double widthFactor,
            int numFeatures,
            int numClasses,
            int inChans) {}

    public static final Map<String, String> VARIANTS = new LinkedHashMap<>();

    static {
        VARIANTS.put(
                "mobilevit_xxs",
                variant(
                        16,
                        320,
                        ir(1, 16, 1, 2.0),
                        ir(3, 24, 2, 2.0),
                        mvit(1, 48, 2, 64, 2, 2, 2.0),
                        mvit(1, 64, 2, 80, 4, 2, 2.0),
                        mvit(1, 80, 2, 96, 3, 2, 2.0)));
        VARIANTS.put(
                "mobilevit_xs",
                variant(
                        16,
                        384,
                        ir(1, 32, 1, 4.0),
                        ir(3, 48, 2, 4.0),
                        mvit(1, 64, 2, 96, 2, 2, 4.0),
                        mvit(1, 80, 2, 120, 4, 2, 4.0),
                        mvit(1, 96, 2, 144, 3, 2, 4.0)));
        VARIANTS.put(
                "mobilevit_s",
                variant(
                        16,
                        640,
                        ir(1, 32, 1, 4.0),
                        ir(3, 64, 2, 4.0),
                        mvit(1, 96, 2, 144, 2, 2, 4.0),
                        mvit(1, 128, 2, 192, 4, 2, 4.0),
                        mvit(1, 160, 2, 240, 3, 2, 4.0)));
    }

    /** timm's _inverted_residual_block: a depthwise bottleneck expanding its input, linear output. */
    private static String ir(int d, int c, int s, double br) {
        return String.format(
                Locale.ROOT,
                "{\"type\":\"bottle\",\"d\":%d,\"c\":%d,\"s\":%d,\"gs\":1,\"br\":%s,"
                        + "\"block_kwargs\":{\"bottle_in\":true,\"linear_out\":true}}",
                d,
                c,
                s,
                br);
    }

    /** timm's _mobilevit_block: an inverted residual (the stage's stride) then one MobileViT block. */
    private static String mvit(int d, int c, int s, int dim, int depth, int patch, double br) {
        return "[" + ir(d, c, s, br)
                + String.format(
                        Locale.ROOT,
                        ",{\"type\":\"mobilevit\",\"d\":1,\"c\":%d,\"s\":1,"
                                + "\"block_kwargs\":{\"transformer_dim\":%d,\"transformer_depth\":%d,\"patch_size\":%d}}]",
                        c,
                        dim,
                        depth,
                        patch);
    }

    private static String variant(int stem, int features, String... stages) {
        return "{\"blocks\":[" + String.join(",", stages) + "],\"stem_chs\":" + stem + ",\"stem_type\":\"3x3\","
                + "\"stem_pool\":\"\",\"downsample\":\"\",\"act_layer\":\"silu\",\"num_features\":" + features + "}";
    }

    public MobileViT(Config cfg) {
        super(cfg.name, "mobilevit", cfg.numClasses, cfg);
    }

    /** Parses ByobNet arguments (ByoModelCfg fields overlaid); {@code name} is the registered name or null. */
    public static MobileViT fromJson(String name, JsonObject json) {
        SpecReader r = new SpecReader(json, "mobilevit");
        r.ignore("blocks");
        JsonElement blocksJson = json.get("blocks");
        if (blocksJson == null
                || !blocksJson.isJsonArray()
                || blocksJson.getAsJsonArray().isEmpty()) {
            throw new ModelSpecException("mobilevit configuration: 'blocks' must be a non-empty list of stages (each a "
                    + "block config or a list of them, as ByoModelCfg.blocks)");
        }
        double wf = r.number("width_factor", 1.0);
        if (wf <= 0) throw new ModelSpecException("mobilevit configuration: 'width_factor' must be positive");
        JsonArray stagesJson = blocksJson.getAsJsonArray();
        List<List<BlockCfg>> stages = new ArrayList<>();
        int[] strides = new int[stagesJson.size()];
        for (int i = 0; i < stagesJson.size(); i++) {
            JsonElement st = stagesJson.get(i);
            List<JsonElement> cfgs = new ArrayList<>();
            if (st.isJsonArray()) st.getAsJsonArray().forEach(cfgs::add);
            else cfgs.add(st);
            if (cfgs.isEmpty()) throw new ModelSpecException("mobilevit configuration: blocks[" + i + "] is empty");
            List<BlockCfg> blocks = new ArrayList<>();
            for (int j = 0; j < cfgs.size(); j++) {
                String where = "blocks[" + i + "]" + (st.isJsonArray() ? "[" + j + "]" : "");
                if (!cfgs.get(j).isJsonObject()) {
                    throw new ModelSpecException(
                            "mobilevit configuration: " + where + " must be a block config object");
                }
                int[] stride = new int[1];
                BlockCfg b = block(cfgs.get(j).getAsJsonObject(), where, wf, stride);
                if (j == 0) strides[i] = stride[0];
                int d = depth(cfgs.get(j).getAsJsonObject(), where);
                for (int k = 0; k < d; k++) blocks.add(b);
            }
            if (blocks.isEmpty())
                throw new ModelSpecException("mobilevit configuration: blocks[" + i + "] has depth 0");
            stages.add(blocks);
        }
        int stemChs = r.integer("stem_chs", 32);
        r.string("stem_type", "3x3", "3x3");
        String pool = r.string("stem_pool", "maxpool");
        if (!pool.isEmpty()) {
            throw new ModelSpecException("mobilevit configuration: 'stem_pool' '" + pool
                    + "' is not supported (MobileViT " + "uses \"\": a single strided 3x3 conv stem)");
        }
        String downsample = r.string("downsample", "conv1x1", "", "conv1x1");
        String actName = r.string("act_layer", "relu");
        Act act = act(actName);
        r.string("norm_layer", "batchnorm", "batchnorm");
        r.string("aa_layer", "", "");
        r.string("head_type", "classifier", "classifier");
        int numFeatures = r.integer("num_features", 0);
        int classes = r.integer("num_classes", 1000);
        int inChans = r.integer("in_chans", 3);
        r.string("global_pool", "avg", "avg");
        if (r.integer("output_stride", 32) != 32) {
            throw new ModelSpecException("mobilevit configuration: only 'output_stride' 32 (no dilation) is supported");
        }
        for (String k : new String[] {"attn_layer", "self_attn_layer", "head_hidden_size"}) {
            if (json.has(k) && !json.get(k).isJsonNull()) {
                throw new ModelSpecException("mobilevit configuration: '" + k + "' is not supported");
            }
            r.ignore(k);
        }
        for (String k : new String[] {"attn_kwargs", "self_attn_kwargs", "block_kwargs"}) {
            JsonElement e = json.get(k);
            if (e != null
                    && !e.isJsonNull()
                    && !(e.isJsonObject() && e.getAsJsonObject().isEmpty())) {
                throw new ModelSpecException("mobilevit configuration: model-level '" + k + "' is not supported (give "
                        + "block_kwargs per block)");
            }
            r.ignore(k);
        }
        r.ignore(
                "drop_rate",
                "drop_path_rate",
                "drop_block_rate",
                "drop_block_size",
                "zero_init_last",
                "img_size",
                "fixed_input_size",
                "pretrained_cfg");
        r.finish();
        if (stemChs <= 0 || numFeatures < 0 || classes < 0 || inChans <= 0) {
            throw new ModelSpecException("mobilevit configuration: stem_chs, in_chans must be positive and "
                    + "num_features, num_classes non-negative");
        }
        return new MobileViT(new Config(
                name == null ? "custom mobilevit" : name,
                stages,
                strides,
                (int) Math.rint(stemChs * wf),
                downsample,
                act,
                actName,
                wf,
                (int) Math.rint(wf * numFeatures),
                classes,
                inChans));
    }

    private static int depth(JsonObject o, String where) {
        JsonElement d = o.get("d");
        if (d == null
                || !d.isJsonPrimitive()
                || !d.getAsJsonPrimitive().isNumber()
                || d.getAsInt() < 0
                || d.getAsDouble() != d.getAsInt()) {
            throw new ModelSpecException("mobilevit configuration: " + where + ".d must be a non-negative integer");
        }
        return d.getAsInt();
    }

    /** One ByoBlockCfg; {@code stride} receives its s. */
    private static BlockCfg block(JsonObject o, String where, double wf, int[] stride) {
        SpecReader r = new SpecReader(o, "mobilevit " + where);
        String type = r.string("type", null, "bottle", "mobilevit");
        if (type == null) throw new ModelSpecException("mobilevit configuration: " + where + " needs 'type'");
        r.ignore("d");
        int c = r.integer("c", -1);
        if (c <= 0) throw new ModelSpecException("mobilevit configuration: " + where + ".c must be a positive integer");
        stride[0] = r.integer("s", 2);
        if (stride[0] != 1 && stride[0] != 2) {
            throw new ModelSpecException("mobilevit configuration: " + where + ".s must be 1 or 2");
        }
        int gs = r.integer("gs", 0);
        if (gs != 0 && gs != 1) {
            throw new ModelSpecException("mobilevit configuration: " + where + ".gs " + gs + " (grouped conv) is not "
                    + "supported; use null (dense) or 1 (depthwise)");
        }
        double br = r.number("br", 1.0);
        for (String k : new String[] {"attn_layer", "attn_kwargs", "self_attn_layer", "self_attn_kwargs"}) {
            if (o.has(k) && !o.get(k).isJsonNull()) {
                throw new ModelSpecException("mobilevit configuration: " + where + "." + k + " is not supported");
            }
            r.ignore(k);
        }
        JsonElement kwe = o.get("block_kwargs");
        r.ignore("block_kwargs");
        r.finish();
        JsonObject kw =
                kwe == null || kwe.isJsonNull() ? new JsonObject() : kwe.isJsonObject() ? kwe.getAsJsonObject() : null;
        if (kw == null)
            throw new ModelSpecException("mobilevit configuration: " + where + ".block_kwargs must be an object");
        SpecReader k = new SpecReader(kw, "mobilevit " + where + ".block_kwargs");
        int out = makeDivisible(c * wf);
        int kernel = k.integer("kernel_size", 3);
        if (kernel <= 0 || kernel % 2 == 0) {
            throw new ModelSpecException("mobilevit configuration: " + where + ".block_kwargs.kernel_size must be odd");
        }
        k.ignore("drop_path_rate", "drop_block", "attn_drop", "drop");
        BlockCfg b;
        if (type.equals("bottle")) {
            boolean bottleIn = k.bool("bottle_in", false), linearOut = k.bool("linear_out", false);
            if (k.bool("extra_conv", false)) {
                throw new ModelSpecException(
                        "mobilevit configuration: " + where + ".block_kwargs.extra_conv is not supported");
            }
            k.bool("attn_last", false);
            b = new BlockCfg(type, out, gs, br, bottleIn, linearOut, kernel, 0, 0, 0, 0, 0, 0, false);
        } else {
            int dim = k.integer("transformer_dim", 0);
            int depth = k.integer("transformer_depth", 2);
            int ph, pw;
            JsonElement pe = kw.get("patch_size");
            if (pe != null && pe.isJsonArray()) {
                int[] p = k.ints("patch_size", null, 2);
                ph = p[0];
                pw = p[1];
            } else {
                ph = pw = k.integer("patch_size", 8);
            }
            int heads = k.integer("num_heads", 4);
            double mlp = k.number("mlp_ratio", 2.0);
            boolean noFusion = k.bool("no_fusion", false);
            if (dim < 0 || depth < 0 || ph <= 0 || pw <= 0 || heads <= 0 || mlp <= 0) {
                throw new ModelSpecException("mobilevit configuration: " + where + ".block_kwargs needs positive "
                        + "transformer_dim, patch_size, num_heads, mlp_ratio and a non-negative transformer_depth");
            }
            b = new BlockCfg(type, out, gs, br, false, false, kernel, dim, depth, ph, pw, heads, mlp, noFusion);
        }
        k.finish();
        return b;
    }

    private static Act act(String name) {
        return switch (name) {
            case "relu" -> Act.RELU;
            case "relu6" -> Act.RELU6;
            case "silu", "swish" -> Act.SILU;
            case "gelu" -> Act.GELU;
            case "hard_swish", "hardswish" -> Act.HSWISH;
            default ->
                throw new ModelSpecException("mobilevit configuration: 'act_layer' must be one of relu, relu6, "
                        + "silu, swish, gelu, hard_swish, got '" + name + "'");
        };
    }

    /** timm's make_divisible(v, 8): nearest multiple of 8, at least 8, never below 90% of v. */
    static int makeDivisible(double v) {
        int nv = Math.max(8, (int) (v + 4) / 8 * 8);
        if (nv < 0.9 * v) nv += 8;
        return nv;
    }

    /** timm's mobilevit _cfg: 256x256, crop 0.9, bicubic, inputs in [0, 1] (mean 0, std 1). */
    @Override
    public Preprocess preprocess() {
        return new Preprocess(256, 0.9, "bicubic", new float[] {0, 0, 0}, new float[] {1, 1, 1});
    }

    /** What timm's forward_intermediates returns: maps before each stride change, then final_conv's output. */
    @Override
    public List<String> featureNames() {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < featureModules().size(); i++) names.add("features." + i);
        return names;
    }

    /** The upstream module behind each features.i (timm's feature_info). */
    public List<String> featureModules() {
        List<String> m = new ArrayList<>();
        if (cfg.strides[0] != 1) m.add("stem");
        for (int i = 0; i + 1 < cfg.stages.size(); i++) if (cfg.strides[i + 1] != 1) m.add("stages." + i);
        m.add("final_conv");
        return m;
    }

    private static int out(int s, int k, int stride) {
        return Conv2d.outSize(s, k, stride, Layers.pad(k, stride));
    }

    @Override
    public void checkInput(int channels, int h, int w) {
        if (channels != cfg.inChans) {
            throw new ModelSpecException(cfg.name + " takes " + cfg.inChans + "-channel input, got " + channels);
        }
        if (h < 1 || w < 1) throw new ModelSpecException("input size " + h + "x" + w + " is empty");
        int sh = out(h, 3, 2), sw = out(w, 3, 2);
        for (int i = 0; i < cfg.stages.size(); i++) {
            List<BlockCfg> st = cfg.stages.get(i);
            for (int j = 0; j < st.size(); j++) {
                BlockCfg b = st.get(j);
                int s = j == 0 ? cfg.strides[i] : 1;
                sh = out(sh, b.kernelSize, s);
                sw = out(sw, b.kernelSize, s);
                if (b.type.equals("mobilevit") && (sh % b.patchH != 0 || sw % b.patchW != 0)) {
                    throw new ModelSpecException("input size " + h + "x" + w + " is not supported by " + cfg.name
                            + ": the MobileViT block stages." + i + "." + j + " sees a " + sh + "x" + sw
                            + " map, not a "
                            + "multiple of its " + b.patchH + "x" + b.patchW
                            + " patches (timm would interpolate); use a "
                            + "size whose map there divides, e.g. a multiple of " + multiple() + " (default "
                            + preprocess().size() + ")");
                }
            }
        }
    }

    /** The smallest input side that divides into whole patches at every MobileViT block. */
    private int multiple() {
        int stride = 2, m = 1;
        for (int i = 0; i < cfg.stages.size(); i++) {
            stride *= cfg.strides[i];
            for (BlockCfg b : cfg.stages.get(i)) {
                if (b.type.equals("mobilevit")) m = lcmInt(m, lcmInt(stride * b.patchH, stride * b.patchW));
            }
        }
        return m;
    }

    /** Records what the file says about the spec fields when it does not fit. */
    private void diagnose(Weights W) {
        if (W.isSynthetic()) return;
        int fileStages = 0;
        for (String k : W.keys()) {
            if (k.startsWith("stages.")) {
                fileStages = Math.max(fileStages, Integer.parseInt(k.substring(7, k.indexOf('.', 7))) + 1);
            }
        }
        if (fileStages != cfg.stages.size()) {
            W.diagnose("blocks: the file has " + fileStages + " stages, the spec " + cfg.stages.size());
        }
        int[] stem = W.shapeOf("stem.conv.weight");
        if (stem != null && stem[0] != cfg.stemChs) {
            W.diagnose("stem_chs: the file's stem has " + stem[0] + " channels, the spec " + cfg.stemChs);
        }
        int[] fc = W.shapeOf("final_conv.conv.weight");
        if (fc != null && fc[0] != cfg.numFeatures) {
            W.diagnose("num_features: the file has " + fc[0] + ", the spec " + cfg.numFeatures);
        } else if (fc == null && cfg.numFeatures > 0) {
            W.diagnose("num_features: the file has no final_conv, the spec " + cfg.numFeatures);
        }
        int[] head = W.shapeOf("head.fc.weight");
        if (head != null && head[0] != cfg.numClasses) {
            W.diagnose("num_classes: the file has " + head[0] + ", the spec " + cfg.numClasses);
        }
        for (int i = 0; i < Math.min(fileStages, cfg.stages.size()); i++) {
            List<BlockCfg> st = cfg.stages.get(i);
            for (int j = 0; j < st.size(); j++) {
                BlockCfg b = st.get(j);
                String bp = "stages." + i + "." + j;
                if (!b.type.equals("mobilevit")) continue;
                int[] c1 = W.shapeOf(bp + ".conv_1x1.weight");
                if (c1 == null) {
                    W.diagnose("blocks[" + i + "]: the file has no MobileViT block at " + bp);
                    continue;
                }
                int depth = 0;
                while (W.has(bp + ".transformer." + depth + ".norm1.weight")) depth++;
                if (c1[0] != transformerDim(b, i, j) || depth != b.transformerDepth) {
                    W.diagnose("blocks[" + i + "]: the file's MobileViT block " + bp + " has transformer_dim " + c1[0]
                            + " and transformer_depth " + depth + ", the spec " + transformerDim(b, i, j) + " and "
                            + b.transformerDepth);
                }
            }
        }
    }

    private int inChs(int stage, int block) {
        if (block > 0) return cfg.stages.get(stage).get(block - 1).c;
        return stage == 0
                ? cfg.stemChs
                : cfg.stages.get(stage - 1).get(cfg.stages.get(stage - 1).size() - 1).c;
    }

    private int transformerDim(BlockCfg b, int stage, int block) {
        return b.transformerDim > 0 ? b.transformerDim : makeDivisible(b.br * inChs(stage, block));
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
        List<String> features = featureModules();
        List<Value> maps = encoder(g, W, "", x, 32);
        if (features.get(0).equals("stem")) g.output("features.0", maps.get(0));
        for (int i = 0; i < cfg.stages.size(); i++) {
            int f = features.indexOf("stages." + i);
            if (f >= 0) g.output("features." + f, maps.get(i + 1));
        }
        x = maps.get(maps.size() - 1);

        if (cfg.numFeatures > 0) {
            Block fb = g.block("final_conv", "ConvNormAct");
            x = convNormAct(g, fb, W, "final_conv", x, cfg.numFeatures, 1, 1, false, cfg.act, 1);
        }
        g.output("features." + (features.size() - 1), x);

        if (!classifier) return g;
        Block head = g.block("head", "Head");
        int c = x.c();
        x = g.add(head, "head.global_pool", new AvgPoolOp(), x);
        if (cfg.numClasses > 0) {
            x = g.add(head, "head.fc", Layers.linear(W, "head.fc", c, cfg.numClasses, true, Act.NONE), x);
        }
        g.output("logits", x);
        return g;
    }

    /**
     * The stem and every stage, keys under {@code prefix}: the stem's output, then each stage's.
     * Below {@code outputStride} (8, 16 or 32) a stage that would halve the map keeps it and its
     * first block's depthwise conv is dilated by the dilation reached before it, which then
     * doubles, as ml-cvnets dilates MobileViT for segmentation (its MobileViT blocks keep
     * undilated convs).
     */
    public List<Value> encoder(Graph g, Weights W, String prefix, Value x, int outputStride) {
        List<Value> maps = new ArrayList<>();
        Block stem = g.block(prefix + "stem", "Stem");
        x = convNormAct(g, stem, W, prefix + "stem", x, cfg.stemChs, 3, 2, false, cfg.act, 1);
        maps.add(x);
        int reached = 2, dilation = 1;
        for (int i = 0; i < cfg.stages.size(); i++) {
            List<BlockCfg> st = cfg.stages.get(i);
            int stageStride = cfg.strides[i], firstDilation = 1;
            if (stageStride > 1 && reached * stageStride > outputStride) {
                firstDilation = dilation;
                dilation *= stageStride;
                stageStride = 1;
            } else {
                reached *= stageStride;
            }
            for (int j = 0; j < st.size(); j++) {
                BlockCfg b = st.get(j);
                int s = j == 0 ? stageStride : 1;
                String bp = prefix + "stages." + i + "." + j;
                x = b.type.equals("bottle")
                        ? bottleneck(g, W, bp, x, b, s, j == 0 ? firstDilation : 1)
                        : mobileVitBlock(g, W, bp, x, b, s, transformerDim(b, i, j));
            }
            maps.add(x);
        }
        return maps;
    }

    /**
     * timm's ConvNormAct (keys PREFIX.conv.weight, PREFIX.bn.*): the BatchNorm folded into the conv,
     * the activation (named after the BatchNormAct that applies it) as its own node. Stride-1 1x1
     * convs become GEMMs over channels.
     */
    private static Value convNormAct(
            Graph g,
            Block b,
            Weights W,
            String p,
            Value x,
            int cout,
            int k,
            int stride,
            boolean depthwise,
            Act act,
            int dilation) {
        int cin = x.c();
        if (depthwise && cin != cout) {
            throw new ModelSpecException(
                    "mobilevit configuration: depthwise conv " + p + " with " + cin + " -> " + cout + " channels");
        }
        HostTensor wt = W.get(p + ".conv.weight", cout, depthwise ? 1 : cin, k, k);
        Relayout.Folded f = Relayout.foldBatchNorm(
                wt,
                null,
                W.get(p + ".bn.weight", cout),
                W.get(p + ".bn.bias", cout),
                W.buffer(p + ".bn.running_mean", cout),
                W.buffer(p + ".bn.running_var", cout),
                BN_EPS);
        int pad = Layers.pad(k, stride) * dilation;
        OpSpec op;
        if (depthwise) {
            op = new DwConvOp(
                    Relayout.depthwise(f.weight()), f.bias(), k, k, stride, pad, pad, pad, pad, 1, Act.NONE, dilation);
        } else if (k == 1 && stride == 1) {
            op = new GemmOp(Relayout.linear(f.weight()), f.bias(), Act.NONE, null, false);
        } else {
            op = new ConvOp(Relayout.conv(f.weight()), f.bias(), k, k, stride, pad, pad, pad, pad, Act.NONE, dilation);
        }
        Value y = g.add(b, p + ".conv", op, x);
        if (act != Act.NONE) y = g.add(b, p + ".bn", new ActivationOp(act), y);
        return y;
    }

    /** timm's BottleneckBlock: 1x1 → kxk (depthwise when gs = 1) → 1x1 linear, shortcut, activation unless linear_out. */
    private Value bottleneck(Graph g, Weights W, String bp, Value x, BlockCfg b, int stride, int dilation) {
        int in = x.c(), outC = b.c;
        Block blk = g.block(bp, b.bottleIn && b.linearOut && b.gs == 1 ? "InvertedResidual" : "Bottleneck");
        int mid = makeDivisible((b.bottleIn ? in : outC) * b.br);
        Value y = convNormAct(g, blk, W, bp + ".conv1_1x1", x, mid, 1, 1, false, cfg.act, 1);
        y = convNormAct(g, blk, W, bp + ".conv2_kxk", y, mid, b.kernelSize, stride, b.gs == 1, cfg.act, dilation);
        y = convNormAct(g, blk, W, bp + ".conv3_1x1", y, outC, 1, 1, false, Act.NONE, 1);
        Value shortcut = null;
        if (in == outC && stride == 1) {
            shortcut = x;
        } else if (cfg.downsample.equals("conv1x1")) {
            shortcut = convNormAct(g, blk, W, bp + ".shortcut", x, outC, 1, stride, false, Act.NONE, 1);
        }
        if (shortcut != null) y = g.add(blk, bp + ".add", new AddOp(Act.NONE), y, shortcut);
        if (!b.linearOut) y = g.add(blk, bp + ".act", new ActivationOp(cfg.act), y);
        return y;
    }

    /**
     * timm's MobileVitBlock: conv_kxk → conv_1x1 (no norm, no bias) → transformer blocks over the
     * patch-grouped tokens → norm → conv_proj → conv_fusion(concat(input, x)).
     */
    private Value mobileVitBlock(Graph g, Weights W, String bp, Value x, BlockCfg b, int stride, int dim) {
        int in = x.c(), outC = b.c;
        if (stride != 1 && !b.noFusion) {
            throw new ModelSpecException("mobilevit configuration: the MobileViT block " + bp + " has stride " + stride
                    + ", which its fusion with the unstrided input cannot take (give it s=1 or no_fusion)");
        }
        if (dim % b.numHeads != 0) {
            throw new ModelSpecException("mobilevit configuration: " + bp + " transformer_dim " + dim
                    + " is not divisible by num_heads " + b.numHeads);
        }
        Block blk = g.block(bp, "MobileViTBlock");
        Value shortcut = x;
        Value y = convNormAct(g, blk, W, bp + ".conv_kxk", x, in, b.kernelSize, stride, b.gs == 1, cfg.act, 1);
        y = g.add(blk, bp + ".conv_1x1", Layers.linear(W, bp + ".conv_1x1", in, dim, false, Act.NONE), y);
        int hidden = (int) (dim * b.mlpRatio);
        float scale = (float) Math.pow((double) (dim / b.numHeads), -0.5);
        for (int t = 0; t < b.transformerDepth; t++) {
            String tp = bp + ".transformer." + t;
            Value n1 = g.add(blk, tp + ".norm1", Layers.layerNorm(W, tp + ".norm1", dim, LN_EPS), y);
            Value qkv =
                    g.add(blk, tp + ".attn.qkv", Layers.linear(W, tp + ".attn.qkv", dim, 3 * dim, true, Act.NONE), n1);
            Value att = g.add(blk, tp + ".attn", new SelfAttentionOp(b.numHeads, scale, b.patchH, b.patchW), qkv);
            Value proj =
                    g.add(blk, tp + ".attn.proj", Layers.linear(W, tp + ".attn.proj", dim, dim, true, Act.NONE), att);
            y = g.add(blk, tp + ".residual1", new AddOp(Act.NONE), proj, y);
            Value n2 = g.add(blk, tp + ".norm2", Layers.layerNorm(W, tp + ".norm2", dim, LN_EPS), y);
            Value m = g.add(blk, tp + ".mlp.fc1", Layers.linear(W, tp + ".mlp.fc1", dim, hidden, true, Act.NONE), n2);
            m = g.add(blk, tp + ".mlp.act", new ActivationOp(cfg.act), m);
            m = g.add(blk, tp + ".mlp.fc2", Layers.linear(W, tp + ".mlp.fc2", hidden, dim, true, Act.NONE), m);
            y = g.add(blk, tp + ".residual2", new AddOp(Act.NONE), m, y);
        }
        y = g.add(blk, bp + ".norm", Layers.layerNorm(W, bp + ".norm", dim, LN_EPS), y);
        y = convNormAct(g, blk, W, bp + ".conv_proj", y, outC, 1, 1, false, cfg.act, 1);
        if (b.noFusion) return y;
        Value cat = g.add(blk, bp + ".concat", new ConcatOp(), shortcut, y);
        return convNormAct(g, blk, W, bp + ".conv_fusion", cat, outC, b.kernelSize, 1, false, cfg.act, 1);
    }

    @Override
    public String toString() {
        List<String> st = new ArrayList<>();
        for (List<BlockCfg> s : cfg.stages) {
            List<String> bs = new ArrayList<>();
            for (BlockCfg b : s) bs.add(b.type + ":" + b.c);
            st.add(String.join("+", bs));
        }
        return cfg.name + " stem=" + cfg.stemChs + " stages=" + st + " num_features=" + cfg.numFeatures;
    }
}
