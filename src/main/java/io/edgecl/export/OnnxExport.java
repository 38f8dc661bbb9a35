package io.edgecl.export;

import io.edgecl.EdgeClException;
import io.edgecl.graph.Graph;
import io.edgecl.graph.Node;
import io.edgecl.graph.OnnxNodes;
import io.edgecl.graph.Value;
import io.edgecl.tensor.HostTensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes an unfused block graph as an ONNX model (opset 17, NCHW, float32, fixed shapes), so the
 * same network and weights can run in ONNX Runtime or any other ONNX consumer for comparison.
 * The graph's NHWC layouts are mapped back to NCHW; LayerNorm over channels becomes
 * Transpose + LayerNormalization + Transpose, as PyTorch's own export writes it. Each op writes
 * its own nodes ({@link io.edgecl.graph.OpSpec#onnx}); fused ops write their parts.
 */
public final class OnnxExport implements OnnxNodes {
    private static final int OPSET = 17;

    private final List<ProtoWriter> nodes = new ArrayList<>();
    private final List<ProtoWriter> initializers = new ArrayList<>();
    private final Map<Value, String> names = new IdentityHashMap<>();
    private final Set<String> initNames = new HashSet<>();
    private int counter;

    private OnnxExport() {}

    /**
     * The ONNX bytes of {@code g} (built with every fusion rule off); outputs "logits" [N, classes],
     * or a segmenter's "out" [N, classes, H, W].
     */
    public static byte[] export(Graph g, String modelName) {
        return new OnnxExport().build(g, modelName);
    }

    private byte[] build(Graph g, String modelName) {
        Value in = g.input();
        names.put(in, "input");
        for (Node n : g.nodes()) lower(n);
        // the head's outputs: logits [N, classes]; a segmenter's out [N, classes, H, W]; a
        // detector's per-anchor rows [N, anchors, columns]; features are not exported
        java.util.Map<String, long[]> outputs = new java.util.LinkedHashMap<>();
        for (var e : g.outputs().entrySet()) {
            String k = e.getKey();
            Value v = e.getValue();
            if (k.startsWith("features.")) continue;
            if (k.equals("logits")) {
                node("Flatten", List.of(name(v)), List.of(k), Attr.i("axis", 1));
                outputs.put(k, new long[] {v.n(), v.c()});
            } else if (g.isRowOutput(k)) {
                // NCHW [n, c, 1, rows] -> [n, rows, c]
                String t = node("Reshape", List.of(name(v), ints(v.n(), v.c(), (long) v.h() * v.w())), List.of(tmp()));
                node("Transpose", List.of(t), List.of(k), Attr.ints("perm", 0, 2, 1));
                outputs.put(k, new long[] {v.n(), (long) v.h() * v.w(), v.c()});
            } else {
                // dense scores are already NCHW in ONNX's layout
                node("Identity", List.of(name(v)), List.of(k));
                outputs.put(k, new long[] {v.n(), v.c(), v.h(), v.w()});
            }
        }
        if (outputs.isEmpty()) throw new EdgeClException("the graph has no output to export");

        ProtoWriter graph = new ProtoWriter();
        for (ProtoWriter n : nodes) graph.message(1, n);
        graph.string(2, modelName);
        for (ProtoWriter t : initializers) graph.message(5, t);
        graph.message(11, valueInfo("input", new long[] {in.n(), in.c(), in.h(), in.w()}));
        for (var e : outputs.entrySet()) graph.message(12, valueInfo(e.getKey(), e.getValue()));
        ProtoWriter model = new ProtoWriter();
        model.int64(1, 8); // IR version 8
        model.string(2, "edgecl");
        model.message(7, graph);
        model.message(8, new ProtoWriter().string(1, "").int64(2, OPSET));
        return model.toByteArray();
    }

    // ---- nodes: each op writes its own (OpSpec#onnx)

    private void lower(Node node) {
        List<String> ins = new ArrayList<>();
        for (Value v : node.inputs()) ins.add(name(v));
        site = node.block().name() + "|" + node.name() + "/";
        names.putIfAbsent(
                node.output(),
                "t" + (counter++) + "_" + node.block().name() + "|"
                        + node.output().name());
        node.op().onnx(this, new Site(node.name(), node.inputs(), ins, node.output(), name(node.output())));
        site = "";
    }

    // ---- protobuf pieces

    private String name(Value v) {
        return names.computeIfAbsent(v, k -> "t" + (counter++) + "_" + k.name());
    }

    /**
     * The prefix of the ONNX node names of the graph node being written: BLOCK|NODE/. With the
     * names of the nodes' outputs (tN_BLOCK|VALUE), which ONNX Runtime gives the nodes its layout
     * transformer makes, a runtime's per-node profile maps back to EdgeCL's blocks.
     */
    private String site = "";

    @Override
    public String tmp() {
        // inside a graph node, the block too (see site)
        return "tmp" + (counter++) + (site.isEmpty() ? "" : "_" + site.substring(0, site.indexOf('|') + 1));
    }

    @Override
    public String node(String op, List<String> inputs, List<String> outputs, Attr... attrs) {
        ProtoWriter n = new ProtoWriter();
        for (String i : inputs) n.string(1, i);
        for (String o : outputs) n.string(2, o);
        n.string(3, site + op + "_" + (counter++));
        n.string(4, op);
        for (Attr a : attrs) n.message(5, attr(a));
        nodes.add(n);
        return outputs.get(0);
    }

    @Override
    public String init(String name, HostTensor t) {
        if (!initNames.add(name)) {
            name = name + "_" + (counter++);
            initNames.add(name);
        }
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

    @Override
    public String ints(long... values) {
        String name = "const" + (counter++);
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

    private static ProtoWriter attr(Attr a) {
        ProtoWriter w = new ProtoWriter().string(1, a.name());
        if (a.i() != null) return w.int64(3, a.i()).int64(20, 2);
        if (a.f() != null) return w.float32(2, a.f()).int64(20, 1);
        if (a.s() != null)
            return w.bytes(4, a.s().getBytes(java.nio.charset.StandardCharsets.UTF_8))
                    .int64(20, 3);
        for (int x : a.ints()) w.int64(8, x);
        return w.int64(20, 7);
    }

    private static ProtoWriter valueInfo(String name, long[] shape) {
        ProtoWriter dims = new ProtoWriter();
        for (long d : shape) dims.message(1, new ProtoWriter().int64(1, d));
        ProtoWriter tensor = new ProtoWriter().int64(1, 1).message(2, dims);
        return new ProtoWriter().string(1, name).message(2, new ProtoWriter().message(1, tensor));
    }
}
