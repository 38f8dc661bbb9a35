package io.edgecl.export;

import io.edgecl.EdgeClException;
import io.edgecl.graph.Graph;
import io.edgecl.graph.Node;
import io.edgecl.graph.OpSpec;
import io.edgecl.graph.Value;
import io.edgecl.io.HostTensor;
import io.edgecl.ops.Act;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes an unfused block graph as an ONNX model (opset 17, NCHW, float32, fixed shapes), so the
 * same network and weights can run in ONNX Runtime or any other ONNX consumer for comparison.
 * The graph's NHWC layouts are mapped back to NCHW; LayerNorm over channels becomes
 * Transpose + LayerNormalization + Transpose, as PyTorch's own export writes it.
 */
public final class OnnxExport {
    private static final int OPSET = 17;

    private final List<ProtoWriter> nodes = new ArrayList<>();
    private final List<ProtoWriter> initializers = new ArrayList<>();
    private final Map<Value, String> names = new IdentityHashMap<>();
    private int counter;

    private OnnxExport() {}

    /** The ONNX bytes of {@code g} (built with every fusion rule off); outputs "logits" [N, classes]. */
    public static byte[] export(Graph g, String modelName) {
        return new OnnxExport().build(g, modelName);
    }

    private byte[] build(Graph g, String modelName) {
        Value in = g.input();
        names.put(in, "input");
        for (Node n : g.nodes()) lower(n);
        Value logits = g.outputs().get("logits");
        if (logits == null) throw new EdgeClException("the graph has no logits output to export");
        node("Flatten", List.of(name(logits)), List.of("logits"), attrInt("axis", 1));

        ProtoWriter graph = new ProtoWriter();
        for (ProtoWriter n : nodes) graph.message(1, n);
        graph.string(2, modelName);
        for (ProtoWriter t : initializers) graph.message(5, t);
        graph.message(11, valueInfo("input", new long[] {in.n(), in.c(), in.h(), in.w()}));
        graph.message(12, valueInfo("logits", new long[] {logits.n(), logits.c()}));
        ProtoWriter model = new ProtoWriter();
        model.int64(1, 8); // IR version 8
        model.string(2, "edgecl");
        model.message(7, graph);
        model.message(8, new ProtoWriter().string(1, "").int64(2, OPSET));
        return model.toByteArray();
    }

    // ---- nodes

    private void lower(Node node) {
        OpSpec op = node.op();
        Value x = node.inputs().get(0), y = node.output();
        String xi = name(x), out = name(y);
        String p = node.name();
        if (op instanceof OpSpec.Conv c) {
            HostTensor w = convWeight(c.weight());
            String t = node("Conv", List.of(xi, init(p + ".weight", w), c.bias() == null ? "" : init(p + ".bias", c.bias())),
                    List.of(act(c.act()) ? tmp() : out), attrInts("kernel_shape", c.kh(), c.kw()),
                    attrInts("strides", c.stride(), c.stride()), attrInts("pads", pads(x, y, c.kh(), c.kw(), c.stride(),
                            c.padH(), c.padW())));
            activation(c.act(), t, out);
        } else if (op instanceof OpSpec.DwConv c) {
            HostTensor w = depthwiseWeight(c.weight());
            String t = node("Conv", List.of(xi, init(p + ".weight", w), c.bias() == null ? "" : init(p + ".bias", c.bias())),
                    List.of(act(c.act()) ? tmp() : out), attrInts("kernel_shape", c.kh(), c.kw()),
                    attrInts("strides", c.stride(), c.stride()), attrInt("group", x.c()),
                    attrInts("pads", pads(x, y, c.kh(), c.kw(), c.stride(), c.padH(), c.padW())));
            activation(c.act(), t, out);
        } else if (op instanceof OpSpec.LayerNorm ln) {
            String a = node("Transpose", List.of(xi), List.of(tmp()), attrInts("perm", 0, 2, 3, 1));
            String b = node("LayerNormalization", List.of(a, init(p + ".weight", ln.gamma()), init(p + ".bias", ln.beta())),
                    List.of(tmp()), attrInt("axis", -1), attrFloat("epsilon", ln.eps()));
            node("Transpose", List.of(b), List.of(out), attrInts("perm", 0, 3, 1, 2));
        } else if (op instanceof OpSpec.Gemm gm) {
            String a = xi;
            int next = 1;
            if (gm.gated()) a = node("Mul", List.of(a, name(node.inputs().get(next++))), List.of(tmp()));
            HostTensor w = linearAsConv(gm.weight());
            boolean more = act(gm.act()) || gm.gamma() != null || gm.residual();
            String t = node("Conv", List.of(a, init(p + ".weight", w), gm.bias() == null ? "" : init(p + ".bias", gm.bias())),
                    List.of(more ? tmp() : out), attrInts("kernel_shape", 1, 1));
            boolean after = gm.gamma() != null || gm.residual();
            t = activation(gm.act(), t, after ? tmp() : out);
            if (gm.gamma() != null) {
                t = node("Mul", List.of(t, init(p + ".gamma", channelVector(gm.gamma()))),
                        List.of(gm.residual() ? tmp() : out));
            }
            if (gm.residual()) node("Add", List.of(t, name(node.inputs().get(next))), List.of(out));
        } else if (op instanceof OpSpec.Activation a) {
            activation(a.act(), xi, out);
        } else if (op instanceof OpSpec.ScaleAdd s) {
            boolean res = node.inputs().size() > 1;
            String t = node("Mul", List.of(xi, init(p + ".scale", channelVector(s.scale()))), List.of(res ? tmp() : out));
            if (res) node("Add", List.of(t, name(node.inputs().get(1))), List.of(out));
        } else if (op instanceof OpSpec.AddConst a) {
            node("Add", List.of(xi, init(p + ".const", hwcToChw(a.constant(), y.h(), y.w(), y.c()))), List.of(out));
        } else if (op instanceof OpSpec.Add a) {
            String t = node("Add", List.of(xi, name(node.inputs().get(1))), List.of(act(a.act()) ? tmp() : out));
            activation(a.act(), t, out);
        } else if (op instanceof OpSpec.Affine a) {
            String t = node("Mul", List.of(xi, init(p + ".scale", channelVector(a.scale()))), List.of(tmp()));
            t = node("Add", List.of(t, init(p + ".shift", channelVector(a.shift()))), List.of(act(a.act()) ? tmp() : out));
            activation(a.act(), t, out);
        } else if (op instanceof OpSpec.ChannelGate) {
            node("Mul", List.of(xi, name(node.inputs().get(1))), List.of(out));
        } else if (op instanceof OpSpec.Concat) {
            List<String> ins = new ArrayList<>();
            for (Value v : node.inputs()) ins.add(name(v));
            node("Concat", ins, List.of(out), attrInt("axis", 1));
        } else if (op instanceof OpSpec.AvgPool) {
            node("GlobalAveragePool", List.of(xi), List.of(out));
        } else if (op instanceof OpSpec.Pool2d pl) {
            int[] pads = {pl.pad(), pl.pad(), pl.pad(), pl.pad()};
            if (pl.max()) {
                node("MaxPool", List.of(xi), List.of(out), attrInts("kernel_shape", pl.k(), pl.k()),
                        attrInts("strides", pl.stride(), pl.stride()), attrInts("pads", pads));
            } else {
                node("AveragePool", List.of(xi), List.of(out), attrInts("kernel_shape", pl.k(), pl.k()),
                        attrInts("strides", pl.stride(), pl.stride()), attrInts("pads", pads),
                        attrInt("count_include_pad", pl.countIncludePad() ? 1 : 0));
            }
        } else if (op instanceof OpSpec.DwConvTranspose t) {
            int s = t.stride();
            node("ConvTranspose", List.of(xi, init(p + ".weight", depthwiseWeight(t.weight())),
                    t.bias() == null ? "" : init(p + ".bias", t.bias())), List.of(out), attrInts("kernel_shape", s, s),
                    attrInts("strides", s, s), attrInt("group", x.c()));
        } else if (op instanceof OpSpec.SplitCascade sc && sc.packed() == null) {
            cascade(node, sc, xi, out);
        } else if (op instanceof OpSpec.ChannelAttention ca && !ca.oneKernel()) {
            channelAttention(node, ca, xi, out, y);
        } else if (op instanceof OpSpec.SelfAttention sa) {
            selfAttention(sa, xi, out, y);
        } else {
            throw new EdgeClException("ONNX export: op '" + op.kind() + "' of " + node.name()
                    + " has no ONNX form (export the unfused graph)");
        }
    }

    private void cascade(Node node, OpSpec.SplitCascade sc, String xi, String out) {
        Value x = node.inputs().get(0);
        int convs = sc.weights().size(), w = sc.width(), rest = x.c() - convs * w;
        List<String> parts = new ArrayList<>();
        long[] sizes = new long[convs + (rest > 0 ? 1 : 0)];
        for (int i = 0; i < sizes.length; i++) {
            sizes[i] = i < convs ? w : rest;
            parts.add(tmp());
        }
        node("Split", List.of(xi, init(node.name() + ".split", longs(sizes))), parts, attrInt("axis", 1));
        List<String> cat = new ArrayList<>();
        String prev = null;
        for (int i = 0; i < convs; i++) {
            String in = i == 0 ? parts.get(0) : node("Add", List.of(parts.get(i), prev), List.of(tmp()));
            HostTensor b = sc.biases().get(i);
            prev = node("Conv", List.of(in, init(node.name() + "." + i + ".weight", depthwiseWeight(sc.weights().get(i))),
                            b == null ? "" : init(node.name() + "." + i + ".bias", b)), List.of(tmp()),
                    attrInts("kernel_shape", sc.k(), sc.k()), attrInt("group", w),
                    attrInts("pads", sc.k() / 2, sc.k() / 2, sc.k() / 2, sc.k() / 2));
            cat.add(prev);
        }
        if (rest > 0) cat.add(parts.get(convs));
        node("Concat", cat, List.of(out), attrInt("axis", 1));
    }

    /** XCA: per head, L2-normalised q and k along tokens, (C/h)x(C/h) attention × temperature. */
    private void channelAttention(Node node, OpSpec.ChannelAttention ca, String xi, String out, Value y) {
        int n = y.n(), c = y.c(), h = ca.heads(), d = c / h, t = y.h() * y.w();
        String r = node("Reshape", List.of(xi, init(tmpName(), longs(n, 3, h, d, t))), List.of(tmp()));
        List<String> qkv = List.of(tmp(), tmp(), tmp());
        node("Split", List.of(r), qkv, attrInt("axis", 1));
        String q = squeeze1(qkv.get(0)), k = squeeze1(qkv.get(1)), v = squeeze1(qkv.get(2));
        q = node("LpNormalization", List.of(q), List.of(tmp()), attrInt("axis", -1), attrInt("p", 2));
        k = node("LpNormalization", List.of(k), List.of(tmp()), attrInt("axis", -1), attrInt("p", 2));
        String kt = node("Transpose", List.of(k), List.of(tmp()), attrInts("perm", 0, 1, 3, 2));
        String a = node("MatMul", List.of(q, kt), List.of(tmp()));
        HostTensor temp = new HostTensor(new int[] {1, h, 1, 1}, ca.temperature().data());
        a = node("Mul", List.of(a, init(node.name() + ".temperature", temp)), List.of(tmp()));
        a = node("Softmax", List.of(a), List.of(tmp()), attrInt("axis", -1));
        String o = node("MatMul", List.of(a, v), List.of(tmp()));
        node("Reshape", List.of(o, init(tmpName(), longs(n, c, y.h(), y.w()))), List.of(out));
    }

    /** Softmax attention over tokens, grouped by position inside ph × pw patches. */
    private void selfAttention(OpSpec.SelfAttention sa, String xi, String out, Value y) {
        int n = y.n(), c = y.c(), h = sa.heads(), d = c / h, ph = sa.patchH(), pw = sa.patchW();
        int hg = y.h() / ph, wg = y.w() / pw, groups = h * ph * pw, tokens = hg * wg;
        String r = node("Reshape", List.of(xi, init(tmpName(), longs(n, 3, h, d, hg, ph, wg, pw))), List.of(tmp()));
        // [n, 3, h, d, hg, ph, wg, pw] → [n, 3, h, ph, pw, d, hg, wg] → [n, 3, groups, d, tokens]
        r = node("Transpose", List.of(r), List.of(tmp()), attrInts("perm", 0, 1, 2, 5, 7, 3, 4, 6));
        r = node("Reshape", List.of(r, init(tmpName(), longs(n, 3, groups, d, tokens))), List.of(tmp()));
        List<String> qkv = List.of(tmp(), tmp(), tmp());
        node("Split", List.of(r), qkv, attrInt("axis", 1));
        String q = squeeze1(qkv.get(0)), k = squeeze1(qkv.get(1)), v = squeeze1(qkv.get(2));
        String qt = node("Transpose", List.of(q), List.of(tmp()), attrInts("perm", 0, 1, 3, 2));
        String a = node("MatMul", List.of(qt, k), List.of(tmp()));
        a = node("Mul", List.of(a, init(tmpName(), scalar(sa.scale()))), List.of(tmp()));
        a = node("Softmax", List.of(a), List.of(tmp()), attrInt("axis", -1));
        String vt = node("Transpose", List.of(v), List.of(tmp()), attrInts("perm", 0, 1, 3, 2));
        String o = node("MatMul", List.of(a, vt), List.of(tmp())); // [n, groups, tokens, d]
        o = node("Transpose", List.of(o), List.of(tmp()), attrInts("perm", 0, 1, 3, 2)); // [n, groups, d, tokens]
        o = node("Reshape", List.of(o, init(tmpName(), longs(n, h, ph, pw, d, hg, wg))), List.of(tmp()));
        o = node("Transpose", List.of(o), List.of(tmp()), attrInts("perm", 0, 1, 4, 5, 2, 6, 3));
        node("Reshape", List.of(o, init(tmpName(), longs(n, c, y.h(), y.w()))), List.of(out));
    }

    private String squeeze1(String x) {
        return node("Squeeze", List.of(x, init(tmpName(), longs(1))), List.of(tmp()));
    }

    private static boolean act(Act a) {
        return a != Act.NONE;
    }

    /** Emits the activation from {@code in} to {@code out}; returns the name holding the result. */
    private String activation(Act a, String in, String out) {
        switch (a) {
            case NONE:
                return in;
            case RELU:
                return node("Relu", List.of(in), List.of(out));
            case RELU6:
                return node("Clip", List.of(in, init(tmpName(), scalar(0)), init(tmpName(), scalar(6))), List.of(out));
            case SIGMOID:
                return node("Sigmoid", List.of(in), List.of(out));
            case HSIGMOID:
                return node("HardSigmoid", List.of(in), List.of(out), attrFloat("alpha", 1f / 6), attrFloat("beta", 0.5f));
            case HSWISH:
                return node("HardSwish", List.of(in), List.of(out));
            case SILU: {
                String s = node("Sigmoid", List.of(in), List.of(tmp()));
                return node("Mul", List.of(in, s), List.of(out));
            }
            case GELU: {
                String t = node("Mul", List.of(in, init(tmpName(), scalar((float) Math.sqrt(0.5)))), List.of(tmp()));
                t = node("Erf", List.of(t), List.of(tmp()));
                t = node("Add", List.of(t, init(tmpName(), scalar(1))), List.of(tmp()));
                t = node("Mul", List.of(in, t), List.of(tmp()));
                return node("Mul", List.of(t, init(tmpName(), scalar(0.5f))), List.of(out));
            }
            default:
                throw new EdgeClException("ONNX export: no form for activation " + a);
        }
    }

    // ---- weights back to PyTorch layouts

    private static HostTensor convWeight(HostTensor w) {
        int kh = w.dim(0), kw = w.dim(1), ci = w.dim(2), co = w.dim(3);
        float[] s = w.data(), d = new float[s.length];
        for (int o = 0; o < co; o++)
            for (int i = 0; i < ci; i++)
                for (int y = 0; y < kh; y++)
                    for (int x = 0; x < kw; x++) d[((o * ci + i) * kh + y) * kw + x] = s[((y * kw + x) * ci + i) * co + o];
        return new HostTensor(new int[] {co, ci, kh, kw}, d);
    }

    private static HostTensor depthwiseWeight(HostTensor w) {
        int kh = w.dim(0), kw = w.dim(1), c = w.dim(2);
        float[] s = w.data(), d = new float[s.length];
        for (int o = 0; o < c; o++)
            for (int q = 0; q < kh * kw; q++) d[o * kh * kw + q] = s[q * c + o];
        return new HostTensor(new int[] {c, 1, kh, kw}, d);
    }

    private static HostTensor linearAsConv(HostTensor w) {
        int k = w.dim(0), n = w.dim(1);
        float[] s = w.data(), d = new float[s.length];
        for (int i = 0; i < k; i++)
            for (int j = 0; j < n; j++) d[j * k + i] = s[i * n + j];
        return new HostTensor(new int[] {n, k, 1, 1}, d);
    }

    private static HostTensor channelVector(HostTensor v) {
        return new HostTensor(new int[] {1, v.numel(), 1, 1}, v.data());
    }

    private static HostTensor hwcToChw(HostTensor t, int h, int w, int c) {
        float[] s = t.data(), d = new float[s.length];
        for (int p = 0; p < h * w; p++)
            for (int ch = 0; ch < c; ch++) d[ch * h * w + p] = s[p * c + ch];
        return new HostTensor(new int[] {1, c, h, w}, d);
    }

    private static HostTensor scalar(float v) {
        return new HostTensor(new int[] {}, new float[] {v});
    }

    private static int[] pads(Value x, Value y, int kh, int kw, int s, int top, int left) {
        int bottom = Math.max(0, (y.h() - 1) * s + kh - x.h() - top);
        int right = Math.max(0, (y.w() - 1) * s + kw - x.w() - left);
        return new int[] {top, left, bottom, right};
    }

    // ---- protobuf pieces

    private String name(Value v) {
        return names.computeIfAbsent(v, k -> "t" + (counter++) + "_" + k.name());
    }

    private String tmp() {
        return "tmp" + (counter++);
    }

    private String tmpName() {
        return "const" + (counter++);
    }

    private String node(String op, List<String> inputs, List<String> outputs, ProtoWriter... attrs) {
        ProtoWriter n = new ProtoWriter();
        for (String i : inputs) n.string(1, i);
        for (String o : outputs) n.string(2, o);
        n.string(3, op + "_" + (counter++));
        n.string(4, op);
        for (ProtoWriter a : attrs) n.message(5, a);
        nodes.add(n);
        return outputs.get(0);
    }

    private String init(String name, HostTensor t) {
        ProtoWriter p = new ProtoWriter();
        for (int d : t.shape()) p.int64(1, d);
        p.int64(2, 1); // FLOAT
        p.string(8, name);
        ByteBuffer b = ByteBuffer.allocate(4 * t.numel()).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(t.data());
        p.bytes(9, b.array());
        initializers.add(p);
        return name;
    }

    private String init(String name, long[] values) {
        ProtoWriter p = new ProtoWriter();
        p.int64(1, values.length);
        p.int64(2, 7); // INT64
        p.string(8, name);
        ByteBuffer b = ByteBuffer.allocate(8 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (long v : values) b.putLong(v);
        p.bytes(9, b.array());
        initializers.add(p);
        return name;
    }

    private static long[] longs(long... v) {
        return v;
    }

    private static ProtoWriter attrInt(String name, long v) {
        return new ProtoWriter().string(1, name).int64(3, v).int64(20, 2);
    }

    private static ProtoWriter attrFloat(String name, float v) {
        return new ProtoWriter().string(1, name).float32(2, v).int64(20, 1);
    }

    private static ProtoWriter attrInts(String name, int... v) {
        ProtoWriter a = new ProtoWriter().string(1, name);
        for (int x : v) a.int64(8, x);
        return a.int64(20, 7);
    }

    private static ProtoWriter valueInfo(String name, long[] shape) {
        ProtoWriter dims = new ProtoWriter();
        for (long d : shape) dims.message(1, new ProtoWriter().int64(1, d));
        ProtoWriter tensor = new ProtoWriter().int64(1, 1).message(2, dims);
        return new ProtoWriter().string(1, name).message(2, new ProtoWriter().message(1, tensor));
    }
}
