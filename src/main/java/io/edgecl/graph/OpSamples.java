package io.edgecl.graph;

import io.edgecl.ops.Act;
import io.edgecl.tensor.HostTensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;

/**
 * One small graph per op and form (odd shapes, random weights, batch 2): the conformance test
 * checks each on the device and through ONNX Runtime against {@link OpSpec#reference}, and
 * {@code edgecl selftest} checks each on the user's device, in every kernel variant and precision.
 * Every permitted subclass of {@link OpSpec} has at least one sample (a test enforces it).
 */
public final class OpSamples {
    /** Images per sample. */
    public static final int N = 2;

    private OpSamples() {}

    /** One sample: a name, the op it covers, and a graph whose output "logits" is that op (weights drawn from the Random). */
    public record Sample(String name, Class<? extends OpSpec> op, Function<Random, Graph> build) {
        @Override
        public String toString() {
            return name;
        }
    }

    static HostTensor t(Random r, float scale, int... shape) {
        return new HostTensor(shape, gaussian(r, (int) HostTensor.numel(shape), scale));
    }

    static HostTensor positive(Random r, int n) {
        float[] d = new float[n];
        for (int i = 0; i < n; i++) d[i] = 0.5f + r.nextFloat();
        return new HostTensor(new int[] {n}, d);
    }

    /** A graph with input [N, h, w, c] and the tested node as "logits"; {@code body} adds the nodes. */
    static Graph graph(int h, int w, int c, java.util.function.BiFunction<Graph, Value, Value> body) {
        Graph g = new Graph();
        Value in = g.input("input", N, h, w, c);
        g.output("logits", body.apply(g, in));
        return g;
    }

    /** y times the gate of a squeeze-excite over y (8 hidden channels, {@code act2} on the gate). */
    private static Value seGated(Graph g, Block b, Random r, Value y, Act act2) {
        int c = y.c;
        Value gate = g.add(
                b,
                "se",
                new SqueezeExciteOp(
                        new GemmOp(t(r, 0.4f, c, 8), t(r, 0.1f, 8), Act.RELU, null, false),
                        new GemmOp(t(r, 0.4f, 8, c), t(r, 0.5f, c), act2, null, false)),
                y);
        return g.add(b, "gate", new ChannelGateOp(), y, gate);
    }

    /** A second tensor of x's shape, different from x: x * s + b. */
    static Value other(Graph g, Block b, Value x, Random r) {
        return g.add(b, "other", new AffineOp(t(r, 1f, x.c), t(r, 1f, x.c), Act.NONE), x);
    }

    public static List<Sample> all() {
        List<Sample> s = new ArrayList<>();
        s.add(new Sample(
                "conv3x3/s2/relu6",
                ConvOp.class,
                r -> graph(
                        9,
                        11,
                        5,
                        (g, x) -> g.add(
                                g.block("b", "t"),
                                "conv",
                                new ConvOp(t(r, 0.3f, 3, 3, 5, 7), t(r, 0.1f, 7), 3, 3, 2, 1, 1, Act.RELU6),
                                x))));
        s.add(new Sample(
                "conv2x2/s2/24ch",
                ConvOp.class,
                r -> graph(
                        8,
                        10,
                        6,
                        (g, x) -> g.add(
                                g.block("b", "t"),
                                "conv",
                                new ConvOp(t(r, 0.3f, 2, 2, 6, 24), null, 2, 2, 2, 0, 0, Act.NONE),
                                x))));
        s.add(new Sample(
                "dwconv5x5/c8",
                DwConvOp.class,
                r -> graph(
                        7,
                        9,
                        8,
                        (g, x) -> g.add(
                                g.block("b", "t"),
                                "dw",
                                new DwConvOp(t(r, 0.3f, 5, 5, 8), t(r, 0.1f, 8), 5, 5, 1, 2, 2, 1, Act.HSWISH),
                                x))));
        s.add(new Sample(
                "dwconv3x3/s2/mult2",
                DwConvOp.class,
                r -> graph(
                        7,
                        9,
                        3,
                        (g, x) -> g.add(
                                g.block("b", "t"),
                                "dw",
                                new DwConvOp(t(r, 0.3f, 3, 3, 6), null, 3, 3, 2, 1, 1, 2, Act.NONE),
                                x))));
        s.add(new Sample(
                "layernorm/c13",
                LayerNormOp.class,
                r -> graph(
                        3,
                        5,
                        13,
                        (g, x) -> g.add(
                                g.block("b", "t"), "ln", new LayerNormOp(t(r, 1f, 13), t(r, 1f, 13), 1e-6f), x))));
        s.add(new Sample(
                "gemm/gelu",
                GemmOp.class,
                r -> graph(
                        3,
                        5,
                        19,
                        (g, x) -> g.add(
                                g.block("b", "t"),
                                "fc",
                                new GemmOp(t(r, 0.3f, 19, 10), t(r, 0.1f, 10), Act.GELU, null, false),
                                x))));
        s.add(new Sample(
                "gemm/scale+residual",
                GemmOp.class,
                r -> graph(3, 5, 19, (g, x) -> {
                    Block b = g.block("b", "t");
                    Value res = g.add(b, "res", new GemmOp(t(r, 0.3f, 19, 33), null, Act.NONE, null, false), x);
                    return g.add(
                            b,
                            "fc",
                            new GemmOp(t(r, 0.3f, 19, 33), t(r, 0.1f, 33), Act.NONE, t(r, 1f, 33), true),
                            x,
                            res);
                })));
        s.add(new Sample(
                "gemm/se-gated",
                GemmOp.class,
                r -> graph(3, 5, 12, (g, x) -> {
                    Block b = g.block("b", "t");
                    Value pooled = g.add(b, "pool", new AvgPoolOp(), x);
                    Value gate = g.add(b, "gate", new ActivationOp(Act.SIGMOID), pooled);
                    return g.add(
                            b,
                            "fc",
                            new GemmOp(t(r, 0.3f, 12, 9), t(r, 0.1f, 9), Act.NONE, null, false, true),
                            x,
                            gate);
                })));
        s.add(new Sample(
                "activation/hswish",
                ActivationOp.class,
                r -> graph(3, 5, 7, (g, x) -> g.add(g.block("b", "t"), "act", new ActivationOp(Act.HSWISH), x))));
        s.add(new Sample(
                "scale_add/residual",
                ScaleAddOp.class,
                r -> graph(3, 5, 7, (g, x) -> {
                    Block b = g.block("b", "t");
                    return g.add(b, "ls", new ScaleAddOp(t(r, 1f, 7)), x, other(g, b, x, r));
                })));
        s.add(new Sample(
                "scale_add/plain",
                ScaleAddOp.class,
                r -> graph(3, 5, 7, (g, x) -> g.add(g.block("b", "t"), "ls", new ScaleAddOp(t(r, 1f, 7)), x))));
        s.add(new Sample(
                "add_const",
                AddConstOp.class,
                r -> graph(3, 5, 7, (g, x) -> g.add(g.block("b", "t"), "pos", new AddConstOp(t(r, 1f, 15, 7), 0), x))));
        for (boolean packed : new boolean[] {false, true}) {
            s.add(new Sample(
                    "split_cascade/" + (packed ? "packed+pos" : "unpacked"),
                    packed ? PackedCascadeOp.class : SplitCascadeOp.class,
                    r -> graph(6, 7, 14, (g, x) -> {
                        List<HostTensor> w = List.of(t(r, 0.3f, 3, 3, 4), t(r, 0.3f, 3, 3, 4), t(r, 0.3f, 3, 3, 4));
                        List<HostTensor> b = List.of(t(r, 0.1f, 4), t(r, 0.1f, 4), t(r, 0.1f, 4));
                        SplitCascadeOp chunks = new SplitCascadeOp(4, w, b, 3);
                        OpSpec op = packed ? PackedCascadeOp.pack(chunks).withPos(t(r, 1f, 42, 14), 0) : chunks;
                        return g.add(g.block("b", "t"), "cascade", op, x);
                    })));
        }
        s.add(new Sample(
                "dwconv_layernorm",
                DwConvLayerNormOp.class,
                r -> graph(
                        5,
                        7,
                        12,
                        (g, x) -> g.add(
                                g.block("b", "t"),
                                "dwln",
                                new DwConvLayerNormOp(
                                        new DwConvOp(t(r, 0.3f, 7, 7, 12), t(r, 0.1f, 12), 7, 7, 1, 3, 3, 1, Act.NONE),
                                        new LayerNormOp(t(r, 1f, 12), t(r, 1f, 12), 1e-6f)),
                                x))));
        // odd maps, channels that end in a ragged vector (or, 33 and 48, in a last panel of one
        // vector), TensorFlow's asymmetric padding, a tall map cut into row chunks and a wide one
        // into two strips: the inverted-residual core in one kernel
        for (int[] e : new int[][] {
            // h, w, cin, cexp, k, stride, pad (top/left), pad (bottom/right), act
            {9, 19, 7, 20, 3, 1, 1, 1, 0},
            {11, 13, 6, 24, 5, 2, 2, 2, 1},
            {10, 12, 5, 17, 3, 2, 0, 1, 2},
            {7, 9, 8, 33, 5, 1, 2, 2, 3},
            {40, 6, 5, 48, 3, 1, 1, 1, 0},
            {4, 140, 4, 18, 3, 2, 1, 1, 1}
        }) {
            Act act = new Act[] {Act.HSWISH, Act.RELU, Act.RELU6, Act.SILU}[e[8]];
            s.add(new Sample(
                    "expand_dw/" + e[4] + "x" + e[4] + "s" + e[5] + "/"
                            + act.name().toLowerCase(java.util.Locale.ROOT) + (e[6] != e[7] ? "/tf-pad" : "")
                            + (e[0] >= 40 ? "/tall" : e[1] >= 140 ? "/wide" : ""),
                    ExpandDwOp.class,
                    r -> graph(
                            e[0],
                            e[1],
                            e[2],
                            (g, x) -> g.add(
                                    g.block("b", "t"),
                                    "ir",
                                    new ExpandDwOp(
                                            new GemmOp(t(r, 0.4f, e[2], e[3]), t(r, 0.1f, e[3]), act, null, false),
                                            new DwConvOp(
                                                    t(r, 0.3f, e[4], e[4], e[3]),
                                                    t(r, 0.1f, e[3]),
                                                    e[4],
                                                    e[4],
                                                    e[5],
                                                    e[6],
                                                    e[6],
                                                    e[7],
                                                    e[7],
                                                    1,
                                                    act)),
                                    x))));
        }
        // a depthwise conv and the 1x1 conv after it in one kernel: runs of pixels that cross
        // image rows and images, windows inside the image (one row's inputs loaded once) and at
        // its edges, no depthwise bias, a ragged last panel (40 columns), the residual the block's
        // input (read twice), a layer scale, the epilogue built in (from 2 MFLOP) and as an
        // argument, and a map too small to share out (7 runs of pixels: the two launches)
        for (int[] e : new int[][] {
            // h, w, c, n, residual, gamma, dw bias
            {6, 17, 32, 32, 1, 0, 1},
            {9, 11, 48, 40, 0, 1, 1},
            {7, 9, 16, 24, 0, 0, 0},
            {8, 10, 64, 96, 0, 0, 1},
            {5, 5, 64, 16, 0, 0, 1}
        }) {
            boolean residual = e[4] == 1, gamma = e[5] == 1;
            s.add(new Sample(
                    "dw_gemm/" + e[2] + "to" + e[3] + (residual ? "/residual" : "") + (gamma ? "/scale" : "")
                            + (e[6] == 0 ? "/no-dw-bias" : "") + (e[0] * e[1] < 32 ? "/small" : ""),
                    DwGemmOp.class,
                    r -> graph(e[0], e[1], e[2], (g, x) -> {
                        int c = e[2], n = e[3];
                        DwConvOp dw = new DwConvOp(
                                t(r, 0.3f, 3, 3, c),
                                e[6] == 1 ? t(r, 0.1f, c) : null,
                                3,
                                3,
                                1,
                                1,
                                1,
                                1,
                                residual ? Act.RELU6 : Act.HSWISH);
                        GemmOp pw = new GemmOp(
                                t(r, 0.4f, c, n),
                                t(r, 0.1f, n),
                                residual ? Act.NONE : Act.RELU,
                                gamma ? t(r, 1f, n) : null,
                                residual);
                        Block b = g.block("b", "t");
                        return residual
                                ? g.add(b, "dwg", new DwGemmOp(dw, pw), x, x)
                                : g.add(b, "dwg", new DwGemmOp(dw, pw), x);
                    })));
        }
        // the fused kernel writing the squeeze-excite pool's partial sums (rule se-pool) for the
        // gate that reads them: a ragged last panel (33 channels), several row chunks and two
        // strips per image, then the gate applied to the same tensor
        for (int[] e : new int[][] {{20, 9, 6, 33, 3, 1}, {5, 140, 5, 20, 5, 2}}) {
            s.add(new Sample(
                    "expand_dw+se_pool/" + e[4] + "x" + e[4] + "s" + e[5] + "/" + e[3] + "ch",
                    ExpandDwOp.class,
                    r -> graph(e[0], e[1], e[2], (g, x) -> {
                        Block b = g.block("b", "t");
                        int c = e[3], k = e[4], p = k / 2;
                        Value y = g.add(
                                b,
                                "ir",
                                new ExpandDwOp(
                                                new GemmOp(t(r, 0.4f, e[2], c), t(r, 0.1f, c), Act.RELU, null, false),
                                                new DwConvOp(
                                                        t(r, 0.3f, k, k, c),
                                                        t(r, 0.1f, c),
                                                        k,
                                                        k,
                                                        e[5],
                                                        p,
                                                        p,
                                                        1,
                                                        Act.SILU))
                                        .withSePool(),
                                x);
                        return seGated(g, b, r, y, Act.SIGMOID);
                    })));
        }
        // the depthwise conv writing the pool's partial sums: a ragged last block of columns (9)
        // and a stride
        for (int[] e : new int[][] {{6, 9, 32, 3, 1}, {11, 13, 16, 5, 2}}) {
            s.add(new Sample(
                    "dwconv+se_pool/" + e[3] + "x" + e[3] + "s" + e[4] + "/" + e[2] + "ch",
                    DwConvOp.class,
                    r -> graph(e[0], e[1], e[2], (g, x) -> {
                        Block b = g.block("b", "t");
                        int c = e[2], k = e[3], p = k / 2;
                        Value y = g.add(
                                b,
                                "dw",
                                new DwConvOp(t(r, 0.3f, k, k, c), t(r, 0.1f, c), k, k, e[4], p, p, 1, Act.HSWISH)
                                        .withSePool(),
                                x);
                        return seGated(g, b, r, y, Act.HSIGMOID);
                    })));
        }
        // channels and hidden widths that end in ragged vectors
        for (int[] e : new int[][] {{3, 5, 20, 7, 0}, {4, 4, 33, 8, 1}}) {
            Act a1 = e[4] == 0 ? Act.RELU : Act.SILU, a2 = e[4] == 0 ? Act.HSIGMOID : Act.SIGMOID;
            s.add(new Sample(
                    "squeeze_excite/" + e[2] + "ch/" + a1.name().toLowerCase(java.util.Locale.ROOT),
                    SqueezeExciteOp.class,
                    r -> graph(
                            e[0],
                            e[1],
                            e[2],
                            (g, x) -> g.add(
                                    g.block("b", "t"),
                                    "se",
                                    new SqueezeExciteOp(
                                            new GemmOp(t(r, 0.4f, e[2], e[3]), t(r, 0.1f, e[3]), a1, null, false),
                                            new GemmOp(t(r, 0.4f, e[3], e[2]), t(r, 0.5f, e[2]), a2, null, false)),
                                    x))));
        }
        for (boolean one : new boolean[] {false, true}) {
            s.add(new Sample(
                    "channel_attention/" + (one ? "one-kernel" : "three-kernels"),
                    ChannelAttentionOp.class,
                    r -> graph(
                            3,
                            5,
                            24,
                            (g, x) -> g.add(
                                    g.block("b", "t"), "xca", new ChannelAttentionOp(positive(r, 2), 2, one), x))));
        }
        // head dims of one vector (12) and of two (22), several token chunks: the CPU's gemm form
        for (int[] cf : new int[][] {{48, 4}, {88, 4}}) {
            int c = cf[0], heads = cf[1];
            s.add(new Sample(
                    "channel_attention/c" + c + "-h" + heads,
                    ChannelAttentionOp.class,
                    r -> graph(
                            9,
                            11,
                            3 * c,
                            (g, x) -> g.add(
                                    g.block("b", "t"),
                                    "xca",
                                    new ChannelAttentionOp(positive(r, heads), heads, true),
                                    x))));
        }
        // an ASPP branch: most taps of a widely dilated window fall outside a small map
        s.add(new Sample(
                "conv3x3/dilation3/8ch",
                ConvOp.class,
                r -> graph(
                        9,
                        11,
                        5,
                        (g, x) -> g.add(
                                g.block("b", "t"),
                                "conv",
                                new ConvOp(t(r, 0.3f, 3, 3, 5, 8), t(r, 0.1f, 8), 3, 3, 1, 3, 3, 3, 3, Act.RELU, 3),
                                x))));
        s.add(new Sample(
                "conv3x3/dilation6/6ch",
                ConvOp.class,
                r -> graph(
                        7,
                        6,
                        4,
                        (g, x) -> g.add(
                                g.block("b", "t"),
                                "conv",
                                new ConvOp(t(r, 0.3f, 3, 3, 4, 6), null, 3, 3, 1, 6, 6, 6, 6, Act.NONE, 6),
                                x))));
        // every off-centre tap outside the 5x4 map: runs as the centre tap alone
        s.add(new Sample(
                "conv3x3/dilation9/taps-outside",
                ConvOp.class,
                r -> graph(
                        5,
                        4,
                        7,
                        (g, x) -> g.add(
                                g.block("b", "t"),
                                "conv",
                                new ConvOp(t(r, 0.3f, 3, 3, 7, 4), t(r, 0.1f, 4), 3, 3, 1, 9, 9, 9, 9, Act.RELU6, 9),
                                x))));
        // two levels of a detection head (3 and 2 anchors of 4 columns) joined per anchor
        s.add(new Sample(
                "anchor-concat/two-levels",
                AnchorConcatOp.class,
                r -> graph(4, 6, 5, (g, x) -> {
                    Block b = g.block("b", "t");
                    Value a = g.add(b, "a", new GemmOp(t(r, 0.3f, 5, 12), t(r, 0.1f, 12), Act.NONE, null, false), x);
                    Value d = g.add(b, "down", new ConvOp(t(r, 0.3f, 3, 3, 5, 8), null, 3, 3, 2, 1, 1, Act.NONE), x);
                    return g.add(b, "cat", new AnchorConcatOp(4), a, d);
                })));
        // seven levels: a launch of six and one of one
        s.add(new Sample(
                "anchor-concat/seven-levels",
                AnchorConcatOp.class,
                r -> graph(4, 6, 5, (g, x) -> {
                    Block b = g.block("b", "t");
                    Value[] levels = new Value[7];
                    for (int i = 0; i < 7; i++) {
                        int cols = 2 * (1 + i % 3);
                        levels[i] = g.add(
                                b,
                                "l" + i,
                                new GemmOp(t(r, 0.3f, 5, cols), t(r, 0.1f, cols), Act.NONE, null, false),
                                x);
                    }
                    return g.add(b, "cat", new AnchorConcatOp(2), levels);
                })));
        // the dilated last stage of a segmentation backbone: the window reaches past the 7x9 map
        s.add(new Sample(
                "dwconv5x5/dilation2/c12",
                DwConvOp.class,
                r -> graph(
                        7,
                        9,
                        12,
                        (g, x) -> g.add(
                                g.block("b", "t"),
                                "dw",
                                new DwConvOp(
                                        t(r, 0.3f, 5, 5, 12), t(r, 0.1f, 12), 5, 5, 1, 4, 4, 4, 4, 1, Act.HSWISH, 2),
                                x))));
        s.add(new Sample(
                "dwconv3x3/dilation3/c5",
                DwConvOp.class,
                r -> graph(
                        9,
                        8,
                        5,
                        (g, x) -> g.add(
                                g.block("b", "t"),
                                "dw",
                                new DwConvOp(t(r, 0.3f, 3, 3, 5), null, 3, 3, 1, 3, 3, 3, 3, 1, Act.NONE, 3),
                                x))));
        // up by a non-integer factor with 4-channel vectors, down with scalars, both corner modes;
        // a resize that is the graph's output writes NCHW floats for the host (a tail past the
        // last 16 pixels at width 17), one that another op reads keeps the plan's NHWC storage
        s.add(new Sample(
                "resize/up/nhwc",
                ResizeOp.class,
                r -> graph(5, 7, 8, (g, x) -> {
                    Block b = g.block("b", "t");
                    return other(g, b, g.add(b, "up", new ResizeOp(13, 17, false), x), r);
                })));
        s.add(new Sample(
                "resize/up/half-pixel",
                ResizeOp.class,
                r -> graph(5, 7, 8, (g, x) -> g.add(g.block("b", "t"), "up", new ResizeOp(13, 17, false), x))));
        s.add(new Sample(
                "resize/up/align-corners",
                ResizeOp.class,
                r -> graph(5, 7, 3, (g, x) -> g.add(g.block("b", "t"), "up", new ResizeOp(11, 16, true), x))));
        s.add(new Sample(
                "resize/down/half-pixel",
                ResizeOp.class,
                r -> graph(13, 9, 5, (g, x) -> g.add(g.block("b", "t"), "down", new ResizeOp(4, 1, false), x))));
        s.add(new Sample(
                "avgpool",
                AvgPoolOp.class,
                r -> graph(3, 5, 7, (g, x) -> g.add(g.block("b", "t"), "pool", new AvgPoolOp(), x))));
        // more pixels than one partial sum holds: partial sums and a second launch
        s.add(new Sample(
                "avgpool/parts",
                AvgPoolOp.class,
                r -> graph(23, 29, 36, (g, x) -> g.add(g.block("b", "t"), "pool", new AvgPoolOp(), x))));
        s.add(new Sample(
                "add/relu",
                AddOp.class,
                r -> graph(3, 5, 7, (g, x) -> {
                    Block b = g.block("b", "t");
                    return g.add(b, "add", new AddOp(Act.RELU), x, other(g, b, x, r));
                })));
        s.add(new Sample(
                "affine/silu",
                AffineOp.class,
                r -> graph(
                        3,
                        5,
                        7,
                        (g, x) ->
                                g.add(g.block("b", "t"), "bn", new AffineOp(t(r, 1f, 7), t(r, 1f, 7), Act.SILU), x))));
        // on CPUs a vector of 8 channels × 8 rows per work-item, the rows ragged
        s.add(new Sample(
                "affine/wide",
                AffineOp.class,
                r -> graph(
                        5,
                        7,
                        40,
                        (g, x) -> g.add(
                                g.block("b", "t"), "bn", new AffineOp(t(r, 1f, 40), t(r, 1f, 40), Act.HSWISH), x))));
        // the grid is (channel, pixel, image) in groups of 16 × 4: ragged on both axes, then wider
        for (int[] hwc : new int[][] {{3, 5, 7}, {7, 9, 40}}) {
            s.add(new Sample(
                    hwc[2] == 7 ? "channel_gate" : "channel_gate/wide",
                    ChannelGateOp.class,
                    r -> graph(hwc[0], hwc[1], hwc[2], (g, x) -> {
                        Block b = g.block("b", "t");
                        Value pooled = g.add(b, "pool", new AvgPoolOp(), x);
                        Value gate = g.add(b, "gate", new ActivationOp(Act.HSIGMOID), pooled);
                        return g.add(b, "se", new ChannelGateOp(), x, gate);
                    })));
        }
        s.add(new Sample(
                "concat/3",
                ConcatOp.class,
                r -> graph(3, 5, 7, (g, x) -> {
                    Block b = g.block("b", "t");
                    Value y = g.add(b, "y", new GemmOp(t(r, 0.3f, 7, 5), null, Act.NONE, null, false), x);
                    return g.add(b, "cat", new ConcatOp(), x, y, other(g, b, x, r));
                })));
        s.add(new Sample(
                "self_attention/2x2-patches",
                SelfAttentionOp.class,
                r -> graph(
                        4, 6, 24, (g, x) -> g.add(g.block("b", "t"), "attn", new SelfAttentionOp(2, 0.5f, 2, 2), x))));
        s.add(new Sample(
                "self_attention/global",
                SelfAttentionOp.class,
                r -> graph(
                        3, 5, 18, (g, x) -> g.add(g.block("b", "t"), "attn", new SelfAttentionOp(3, 0.4f, 1, 1), x))));
        // both operand forms: q, k and v apart, with keys and values at half the resolution (a
        // strided projection) and odd token counts; one [q | k | v] projection with 81 keys (two
        // softmax steps of the blocked kernel)
        s.add(new Sample(
                "multi_query_attention/kv-downsampled",
                MultiQueryAttentionOp.class,
                r -> graph(5, 7, 6, (g, x) -> {
                    Block b = g.block("b", "t");
                    Value q = g.add(b, "q", new GemmOp(t(r, 0.5f, 6, 12), null, Act.NONE, null, false), x);
                    Value k = g.add(b, "k", new ConvOp(t(r, 0.3f, 3, 3, 6, 4), null, 3, 3, 2, 1, 1, Act.NONE), x);
                    Value v = g.add(b, "v", new ConvOp(t(r, 0.3f, 3, 3, 6, 4), null, 3, 3, 2, 1, 1, Act.NONE), x);
                    return g.add(b, "attn", new MultiQueryAttentionOp(3, 0.5f), q, k, v);
                })));
        s.add(new Sample(
                "multi_query_attention/qkv",
                MultiQueryAttentionOp.class,
                r -> graph(9, 9, 8, (g, x) -> {
                    Block b = g.block("b", "t");
                    Value qkv = g.add(b, "qkv", new GemmOp(t(r, 0.5f, 8, 16), null, Act.NONE, null, false), x);
                    return g.add(b, "attn", new MultiQueryAttentionOp(2, 0.35f), qkv);
                })));
        s.add(new Sample(
                "pool2d/max3x3/s2",
                Pool2dOp.class,
                r -> graph(
                        7, 9, 5, (g, x) -> g.add(g.block("b", "t"), "pool", new Pool2dOp(3, 2, 1, true, false), x))));
        s.add(new Sample(
                "pool2d/avg3x3/exclude-pad",
                Pool2dOp.class,
                r -> graph(
                        7, 9, 5, (g, x) -> g.add(g.block("b", "t"), "pool", new Pool2dOp(3, 1, 1, false, false), x))));
        s.add(new Sample(
                "pool2d/avg2x2/s2",
                Pool2dOp.class,
                r -> graph(
                        6, 8, 5, (g, x) -> g.add(g.block("b", "t"), "pool", new Pool2dOp(2, 2, 0, false, true), x))));
        s.add(new Sample(
                "dwconv_transpose/s2",
                DwConvTransposeOp.class,
                r -> graph(
                        3,
                        4,
                        6,
                        (g, x) -> g.add(
                                g.block("b", "t"),
                                "up",
                                new DwConvTransposeOp(t(r, 0.5f, 2, 2, 6), t(r, 0.1f, 6), 2),
                                x))));
        return s;
    }

    static float[] gaussian(Random r, int n, float scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (r.nextGaussian() * scale);
        return a;
    }

    /** The seeded graph of {@code s} (the same weights every call) and its input, NCHW in [-1, 1]-ish gaussians. */
    public static Graph build(Sample s) {
        return s.build().apply(new Random(s.name().hashCode()));
    }

    /** The input of a sample's graph: seeded gaussians, NCHW. */
    public static HostTensor input(Graph g) {
        Value in = g.input();
        return new HostTensor(new int[] {in.n, in.c, in.h, in.w}, gaussian(new Random(11), (int) in.numel(), 1f));
    }
}
