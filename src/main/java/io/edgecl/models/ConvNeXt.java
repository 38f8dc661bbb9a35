package io.edgecl.models;

import com.google.gson.JsonObject;
import io.edgecl.graph.AvgPoolOp;
import io.edgecl.graph.Block;
import io.edgecl.graph.ConvOp;
import io.edgecl.graph.DwConvOp;
import io.edgecl.graph.Graph;
import io.edgecl.graph.Value;
import io.edgecl.io.image.Preprocess;
import io.edgecl.ops.Act;
import io.edgecl.tensor.HostTensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * ConvNeXt (Liu et al., 2022) as timm defines it: patchify stem, four stages of depthwise 7x7
 * conv, LayerNorm, inverted MLP and layer scale, pooled LayerNorm head.
 */
public final class ConvNeXt extends Network {
    static final float EPS = 1e-6f;

    public static final Map<String, String> VARIANTS = new LinkedHashMap<>();

    static {
        VARIANTS.put("convnext_atto", "{\"depths\":[2,2,6,2],\"dims\":[40,80,160,320],\"conv_mlp\":true}");
        VARIANTS.put("convnext_femto", "{\"depths\":[2,2,6,2],\"dims\":[48,96,192,384],\"conv_mlp\":true}");
        VARIANTS.put("convnext_pico", "{\"depths\":[2,2,6,2],\"dims\":[64,128,256,512],\"conv_mlp\":true}");
        VARIANTS.put("convnext_nano", "{\"depths\":[2,2,8,2],\"dims\":[80,160,320,640],\"conv_mlp\":true}");
        VARIANTS.put("convnext_tiny", "{\"depths\":[3,3,9,3],\"dims\":[96,192,384,768]}");
        VARIANTS.put("convnext_small", "{\"depths\":[3,3,27,3],\"dims\":[96,192,384,768]}");
        VARIANTS.put("convnext_base", "{\"depths\":[3,3,27,3],\"dims\":[128,256,512,1024]}");
        VARIANTS.put("convnext_large", "{\"depths\":[3,3,27,3],\"dims\":[192,384,768,1536]}");
    }

    private final int[] dims, depths, kernels;
    private final boolean convBias, headNormFirst;
    private final int patch, inChans;
    private final double mlpRatio;
    private final int outputStride;

    private ConvNeXt(
            String name,
            int[] dims,
            int[] depths,
            int[] kernels,
            boolean convBias,
            boolean headNormFirst,
            int patch,
            int numClasses,
            int inChans,
            double mlpRatio,
            int outputStride) {
        super(name, "convnext", numClasses);
        this.dims = dims;
        this.depths = depths;
        this.kernels = kernels;
        this.convBias = convBias;
        this.headNormFirst = headNormFirst;
        this.patch = patch;
        this.inChans = inChans;
        this.mlpRatio = mlpRatio;
        this.outputStride = outputStride;
    }

    public static ConvNeXt fromJson(String name, JsonObject json) {
        SpecReader r = new SpecReader(json, "convnext");
        int[] depths = r.ints("depths", new int[] {3, 3, 9, 3}, 4);
        int[] dims = r.ints("dims", new int[] {96, 192, 384, 768}, 4);
        int[] kernels;
        if (json.has("kernel_sizes") && json.get("kernel_sizes").isJsonPrimitive()) {
            int k = r.integer("kernel_sizes", 7);
            kernels = new int[] {k, k, k, k};
        } else {
            kernels = r.ints("kernel_sizes", new int[] {7, 7, 7, 7}, 4);
        }
        r.bool("conv_mlp", false); // 1x1 convs or Linear: the same arithmetic, shapes differ only by unit dims
        boolean bias = r.bool("conv_bias", true);
        if (r.bool("use_grn", false))
            throw new ModelSpecException("convnext configuration: use_grn (ConvNeXt-V2) is not supported yet");
        r.string("stem_type", "patch", "patch");
        int patch = r.integer("patch_size", 4);
        boolean hnf = r.bool("head_norm_first", false);
        if (r.integer("head_hidden_size", 0) != 0)
            throw new ModelSpecException("convnext configuration: head_hidden_size is not supported yet");
        double ls = r.number("ls_init_value", 1e-6);
        if (ls <= 0)
            throw new ModelSpecException("convnext configuration: ls_init_value must be positive (layer scale)");
        int classes = r.integer("num_classes", 1000);
        int inChans = r.integer("in_chans", 3);
        double mlpRatio = r.number("mlp_ratio", 4);
        int outputStride = r.integer("output_stride", 32);
        if (outputStride != 8 && outputStride != 16 && outputStride != 32) {
            throw new ModelSpecException(
                    "convnext configuration: 'output_stride' must be 8, 16 or 32, got " + outputStride);
        }
        r.string("global_pool", "avg", "avg");
        r.string("act_layer", "gelu", "gelu");
        r.string("norm_layer", "layernorm", "layernorm", "layernorm2d");
        if (r.number("norm_eps", 1e-6) != 1e-6)
            throw new ModelSpecException("convnext configuration: only norm_eps 1e-6");
        r.ignore("drop_path_rate", "drop_rate", "head_init_scale");
        r.finish();
        for (int i = 0; i < 4; i++) {
            if (dims[i] <= 0 || depths[i] < 0 || kernels[i] <= 0 || kernels[i] % 2 == 0) {
                throw new ModelSpecException(
                        "convnext configuration: stage " + i + " needs positive dims/depths and " + "an odd kernel");
            }
        }
        return new ConvNeXt(
                name == null ? "custom convnext" : name,
                dims,
                depths,
                kernels,
                bias,
                hnf,
                patch,
                classes,
                inChans,
                mlpRatio,
                outputStride);
    }

    @Override
    public Preprocess preprocess() {
        return Preprocess.imagenet(224, 0.875);
    }

    @Override
    public List<String> featureNames() {
        return List.of("features.0", "features.1", "features.2", "features.3");
    }

    @Override
    public void checkInput(int channels, int h, int w) {
        if (channels != inChans)
            throw new ModelSpecException(name() + " takes " + inChans + "-channel input, got " + channels);
        if (h / patch / 8 < 1 || w / patch / 8 < 1) {
            throw new ModelSpecException("input size " + h + "x" + w + " is too small for " + name() + " (at least "
                    + 8 * patch + "x" + 8 * patch + ")");
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
        Graph g = new Graph();
        Value x = g.input("input", batch, h, w, inChans);
        Block stem = g.block("stem", "Stem");
        HostTensor sw = W.get("stem.0.weight", dims[0], inChans, patch, patch);
        HostTensor sb = convBias ? W.get("stem.0.bias", dims[0]) : null;
        x = g.add(stem, "stem.0", new ConvOp(Relayout.conv(sw), sb, patch, patch, patch, 0, 0, Act.NONE), x);
        x = g.add(stem, "stem.1", Layers.layerNorm(W, "stem.1", dims[0], EPS), x);
        int in = dims[0], reached = patch, dilation = 1;
        for (int i = 0; i < 4; i++) {
            String sp = "stages." + i;
            // timm: a stride that would pass the output stride becomes dilation
            int stride = i > 0 ? 2 : 1;
            if (reached >= outputStride && stride > 1) {
                dilation *= stride;
                stride = 1;
            }
            reached *= stride;
            int first = dilation <= 2 ? 1 : 2;
            if (in != dims[i] || stride > 1 || first != dilation) {
                int k = stride > 1 || first != dilation ? 2 : 1;
                // timm's "same" padding where the stage is dilated: for a 2x2 kernel at dilation 1
                // the odd pixel goes after
                int before = 0, after = 0;
                if (dilation > 1 && k > 1) {
                    before = first * (k - 1) / 2;
                    after = first * (k - 1) - before;
                }
                Block ds = g.block(sp + ".downsample", "Downsample");
                x = g.add(ds, sp + ".downsample.0", Layers.layerNorm(W, sp + ".downsample.0", in, EPS), x);
                HostTensor dw = W.get(sp + ".downsample.1.weight", dims[i], in, k, k);
                HostTensor db = convBias ? W.get(sp + ".downsample.1.bias", dims[i]) : null;
                x = g.add(
                        ds,
                        sp + ".downsample.1",
                        new ConvOp(Relayout.conv(dw), db, k, k, stride, before, before, after, after, Act.NONE, first),
                        x);
                in = dims[i];
            }
            int c = dims[i], k = kernels[i];
            for (int j = 0; j < depths[i]; j++) {
                String bp = sp + ".blocks." + j;
                Block b = g.block(bp, "ConvNeXtBlock");
                HostTensor dw = W.get(bp + ".conv_dw.weight", c, 1, k, k);
                HostTensor db = convBias ? W.get(bp + ".conv_dw.bias", c) : null;
                int p = dilation * (k - 1) / 2;
                Value y = g.add(
                        b,
                        bp + ".conv_dw",
                        new DwConvOp(Relayout.depthwise(dw), db, k, k, 1, p, p, p, p, 1, Act.NONE, dilation),
                        x);
                y = g.add(b, bp + ".norm", Layers.layerNorm(W, bp + ".norm", c, EPS), y);
                x = Layers.mlpResidual(g, W, b, bp, y, x, c, (int) (mlpRatio * c));
            }
            g.output("features." + i, x);
        }
        if (!classifier) return g;
        Block head = g.block("head", "Head");
        int c = dims[3];
        if (headNormFirst) x = g.add(head, "norm_pre", Layers.layerNorm(W, "norm_pre", c, EPS), x);
        x = g.add(head, "head.global_pool", new AvgPoolOp(), x);
        if (!headNormFirst) x = g.add(head, "head.norm", Layers.layerNorm(W, "head.norm", c, EPS), x);
        if (numClasses() > 0) {
            x = g.add(head, "head.fc", Layers.linear(W, "head.fc", c, numClasses(), true, Act.NONE), x);
        }
        g.output("logits", x);
        return g;
    }
}
