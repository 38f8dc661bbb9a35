package io.edgecl.models;

import io.edgecl.graph.AddOp;
import io.edgecl.graph.Block;
import io.edgecl.graph.Graph;
import io.edgecl.graph.Value;
import io.edgecl.ops.Act;
import java.util.ArrayList;
import java.util.List;

/**
 * torchvision's MobileNetV3 feature extractor ({@code mobilenet_v3_large/small(...).features}) under
 * torchvision's module names, as its segmentation and detection models embed it: the bneck table
 * of {@code _mobilenet_v3_conf} with {@code width_mult}, {@code reduced_tail} and {@code dilated}
 * (the last stage's stride-2 block keeps stride 1 and every depthwise conv of that stage is
 * dilated by 2, output stride 16), BatchNorm eps 1e-3, padding (k - 1) / 2 · dilation.
 */
final class TorchvisionMobileNetV3 {
    /** One inverted residual as torchvision's InvertedResidualConfig holds it, channels already adjusted. */
    record Bneck(int in, int k, int exp, int out, boolean se, boolean hs, int stride, int dilation) {}

    static final double BN_EPS = 1e-3;

    private final boolean large;
    private final List<Bneck> blocks;
    private final int lastConv;

    /**
     * @param arch "mobilenet_v3_large" or "mobilenet_v3_small"
     */
    TorchvisionMobileNetV3(String arch, double widthMult, boolean reducedTail, boolean dilated) {
        if (!(widthMult > 0) || widthMult > 16)
            throw new ModelSpecException(arch + ": 'width_mult' must be in (0, 16], got " + widthMult);
        this.large = switch (arch) {
            case "mobilenet_v3_large" -> true;
            case "mobilenet_v3_small" -> false;
            default ->
                throw new ModelSpecException(
                        "unknown MobileNetV3 backbone '" + arch + "' (mobilenet_v3_large or mobilenet_v3_small)");
        };
        int r = reducedTail ? 2 : 1, d = dilated ? 2 : 1;
        // input, kernel, expanded, output, SE, hard-swish, stride, dilation, as in torchvision's table
        int[][] t = large
                ? new int[][] {
                    {16, 3, 16, 16, 0, 0, 1, 1},
                    {16, 3, 64, 24, 0, 0, 2, 1},
                    {24, 3, 72, 24, 0, 0, 1, 1},
                    {24, 5, 72, 40, 1, 0, 2, 1},
                    {40, 5, 120, 40, 1, 0, 1, 1},
                    {40, 5, 120, 40, 1, 0, 1, 1},
                    {40, 3, 240, 80, 0, 1, 2, 1},
                    {80, 3, 200, 80, 0, 1, 1, 1},
                    {80, 3, 184, 80, 0, 1, 1, 1},
                    {80, 3, 184, 80, 0, 1, 1, 1},
                    {80, 3, 480, 112, 1, 1, 1, 1},
                    {112, 3, 672, 112, 1, 1, 1, 1},
                    {112, 5, 672, 160 / r, 1, 1, 2, d},
                    {160 / r, 5, 960 / r, 160 / r, 1, 1, 1, d},
                    {160 / r, 5, 960 / r, 160 / r, 1, 1, 1, d}
                }
                : new int[][] {
                    {16, 3, 16, 16, 1, 0, 2, 1},
                    {16, 3, 72, 24, 0, 0, 2, 1},
                    {24, 3, 88, 24, 0, 0, 1, 1},
                    {24, 5, 96, 40, 1, 1, 2, 1},
                    {40, 5, 240, 40, 1, 1, 1, 1},
                    {40, 5, 240, 40, 1, 1, 1, 1},
                    {40, 5, 120, 48, 1, 1, 1, 1},
                    {48, 5, 144, 48, 1, 1, 1, 1},
                    {48, 5, 288, 96 / r, 1, 1, 2, d},
                    {96 / r, 5, 576 / r, 96 / r, 1, 1, 1, d},
                    {96 / r, 5, 576 / r, 96 / r, 1, 1, 1, d}
                };
        blocks = new ArrayList<>();
        for (int[] row : t) {
            blocks.add(new Bneck(
                    adjust(row[0], widthMult),
                    row[1],
                    adjust(row[2], widthMult),
                    adjust(row[3], widthMult),
                    row[4] == 1,
                    row[5] == 1,
                    row[6],
                    row[7]));
        }
        lastConv = 6 * blocks.get(blocks.size() - 1).out();
    }

    /** torchvision's _make_divisible(c * width_mult, 8): to a multiple of 8, never below 90% of the value. */
    static int adjust(int channels, double widthMult) {
        double v = channels * widthMult;
        int r = Math.max(8, (int) (v + 4) / 8 * 8);
        if (r < 0.9 * v) r += 8;
        return r;
    }

    List<Bneck> blocks() {
        return blocks;
    }

    /** Channels of the last feature module (the 1x1 conv after the blocks). */
    int lastChannels() {
        return lastConv;
    }

    /** Number of feature modules: the stem, each block, the last conv. */
    int featureCount() {
        return blocks.size() + 2;
    }

    /**
     * torchvision's stage indices: feature modules whose block (as configured, before dilation)
     * strides, with 0 first and the last module last. LR-ASPP and DeepLabV3 take their taps from these.
     */
    List<Integer> stageIndices() {
        List<Integer> s = new ArrayList<>();
        s.add(0);
        for (int i = 0; i < blocks.size(); i++) if (blocks.get(i).stride() > 1) s.add(i + 1);
        s.add(featureCount() - 1);
        return s;
    }

    /**
     * Builds feature modules 0 .. {@code upTo} under {@code prefix} (e.g. "backbone.") and returns
     * their outputs, one per module.
     */
    List<Value> build(Graph g, Weights w, String prefix, Value x, int upTo) {
        return build(g, w, i -> prefix + i, x, upTo, -1, null);
    }

    /**
     * Names of the modules of one inverted residual: {@code module(m)} is the key prefix of its
     * m-th module (0: the expansion when there is one, then the depthwise conv, SE, projection).
     */
    interface ModuleKeys {
        String module(int m);
    }

    /**
     * Builds feature modules 0 .. {@code upTo}, module i named {@code names.apply(i)}; the block of
     * feature module {@code split} names its modules with {@code splitKeys} and its expansion's
     * output is added to the returned list right after that module's own output (torchvision's
     * SSDLite takes C4 there, as the MobileNetV3 paper's section 6.3 does).
     */
    List<Value> build(
            Graph g,
            Weights w,
            java.util.function.IntFunction<String> names,
            Value x,
            int upTo,
            int split,
            ModuleKeys splitKeys) {
        List<Value> out = new ArrayList<>();
        String p0 = names.apply(0);
        Block stem = g.block(p0, "Conv2dNormActivation");
        int first = blocks.get(0).in();
        x = Layers.convBn(
                g, w, stem, p0 + ".0", p0 + ".1", x, first, 3, 2, 1, pad(3, 1), pad(3, 1), false, Act.HSWISH, BN_EPS);
        out.add(x);
        Value[] expansion = new Value[1];
        for (int i = 0; i < blocks.size() && i + 1 <= upTo; i++) {
            String p = names.apply(i + 1);
            ModuleKeys keys = i + 1 == split ? splitKeys : m -> p + ".block." + m;
            x = block(g, w, p, keys, blocks.get(i), x, i + 1 == split ? expansion : null);
            out.add(x);
            if (i + 1 == split) out.add(out.size() - 1, expansion[0]);
        }
        if (upTo >= featureCount() - 1) {
            String p = names.apply(featureCount() - 1);
            Block b = g.block(p, "Conv2dNormActivation");
            x = Layers.convBn(
                    g, w, b, p + ".0", p + ".1", x, lastConv, 1, 1, 1, pad(1, 1), pad(1, 1), false, Act.HSWISH, BN_EPS);
            out.add(x);
        }
        return out;
    }

    private static int[] pad(int k, int dilation) {
        int p = (k - 1) / 2 * dilation;
        return new int[] {p, p};
    }

    /**
     * torchvision's InvertedResidual: [expand] → depthwise → [SE] → project, + input when it keeps
     * the shape. {@code expansion}: when given, receives the expansion's output.
     */
    private static Value block(Graph g, Weights w, String p, ModuleKeys keys, Bneck k, Value x, Value[] expansion) {
        Block b = g.block(p, "InvertedResidual");
        Act act = k.hs() ? Act.HSWISH : Act.RELU;
        int m = 0;
        Value y = x;
        if (k.exp() != k.in()) {
            String e = keys.module(m);
            y = Layers.convBn(
                    g, w, b, e + ".0", e + ".1", y, k.exp(), 1, 1, 1, pad(1, 1), pad(1, 1), false, act, BN_EPS);
            m++;
        }
        if (expansion != null) expansion[0] = y;
        int stride = k.dilation() > 1 ? 1 : k.stride();
        String dw = keys.module(m);
        y = Layers.convBn(
                g,
                w,
                b,
                dw + ".0",
                dw + ".1",
                y,
                k.exp(),
                k.k(),
                stride,
                k.dilation(),
                pad(k.k(), k.dilation()),
                pad(k.k(), k.dilation()),
                true,
                act,
                BN_EPS);
        m++;
        if (k.se()) {
            String se = keys.module(m);
            int sq = adjust(k.exp() / 4, 1.0);
            y = Layers.squeezeExcite(g, w, b, se, "avgpool", "fc1", "fc2", y, sq, Act.RELU, Act.HSIGMOID);
            m++;
        }
        String pr = keys.module(m);
        y = Layers.convBn(
                g, w, b, pr + ".0", pr + ".1", y, k.out(), 1, 1, 1, pad(1, 1), pad(1, 1), false, Act.NONE, BN_EPS);
        if (k.stride() == 1 && k.in() == k.out()) y = g.add(b, p + ".residual", new AddOp(Act.NONE), y, x);
        return y;
    }
}
