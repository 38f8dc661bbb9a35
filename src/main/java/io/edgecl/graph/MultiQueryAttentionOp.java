package io.edgecl.graph;

import static io.edgecl.graph.OpSupport.inputs;
import static io.edgecl.graph.OpSupport.require;

import io.edgecl.cl.ClBuffer;
import io.edgecl.cl.ClContext;
import io.edgecl.graph.OnnxNodes.Attr;
import io.edgecl.graph.OnnxNodes.Site;
import io.edgecl.ops.Attention;
import io.edgecl.ops.Launch;
import io.edgecl.ops.OpChoices;
import java.util.List;

/**
 * Multi-query attention (MobileNetV4's mobile MQA): inputs q [n, h, w, heads × d], k and v
 * [n, h', w', d] (one key and one value head shared by all query heads, usually at a lower
 * resolution); out [n, h, w, heads × d] with out[t, head·d + i] = Σ_j softmax_j(q·k_j × scale) v_j[i].
 */
public record MultiQueryAttentionOp(int heads, float scale) implements OpSpec {
    public String kind() {
        return "multi_query_attention";
    }

    public Shape outputShape(List<Shape> in) {
        inputs(in, 3);
        Shape q = in.get(0), k = in.get(1), v = in.get(2);
        require(heads > 0 && q.c() % heads == 0, "the queries' " + q.c() + " channels are not " + heads + " heads");
        int d = q.c() / heads;
        require(
                k.c() == d && v.c() == d,
                "keys and values need one head of " + d + " channels, got " + k.c() + " and " + v.c());
        require(
                k.n() == q.n() && v.n() == q.n() && k.h() == v.h() && k.w() == v.w(),
                "keys " + k + " and values " + v + " do not pair with queries " + q);
        require(d <= Attention.MAX_HEAD_DIM, "head dimension " + d + " is over " + Attention.MAX_HEAD_DIM);
        return q;
    }

    public long macs(List<Value> in, Value out) {
        Value k = in.get(1);
        return 2L * out.n * out.h * out.w * k.h * k.w * out.c;
    }

    // scratch: none in the direct kernel GPUs run; CPU runtimes' variant packs the keys and
    // values into the plan's transient scratch
    public long transientScratchBytes(ClContext ctx, OpChoices choices, List<Value> in, Value y) {
        Value k = in.get(1);
        return Attention.multiQueryScratchBytes(variant(ctx, choices, y), y.n, k.h * k.w, y.c / heads);
    }

    /** The blocked kernel where the device's (or the forced) self-attention variant packs keys, else the direct one. */
    private Attention.Variant variant(ClContext ctx, OpChoices choices, Value y) {
        Attention.Variant v = Attention.variant(choices, ctx, y.c / heads);
        return v == Attention.Variant.DIRECT ? v : Attention.Variant.BLOCKED;
    }

    public List<Launch> lower(Lowering l, List<Value> in, Value y) {
        Value k = in.get(1);
        Attention.Variant v = variant(l.ctx(), l.choices(), y);
        long bytes = Attention.multiQueryScratchBytes(v, y.n, k.h * k.w, y.c / heads);
        ClBuffer kv = bytes > 0 ? l.transientScratch(bytes, "mqa-kv") : null;
        return Attention.multiQuery(
                l.ctx(),
                l.buf(in.get(0)),
                l.buf(k),
                l.buf(in.get(2)),
                l.buf(y),
                kv,
                y.n,
                y.h,
                y.w,
                k.h * k.w,
                heads,
                y.c / heads,
                scale,
                v);
    }

    public void onnx(OnnxNodes e, Site s) {
        Value y = s.y();
        Value kv = s.in().get(1);
        int n = y.n, d = y.c / heads, l = y.h * y.w, m = kv.h * kv.w;
        // q [n, heads·d, h, w] → [n, heads, l, d]; k and v [n, d, h', w'] → [n, 1, d, m]
        String q = e.node("Reshape", List.of(s.xi(), e.ints(n, heads, d, l)), List.of(e.tmp()));
        q = e.node("Transpose", List.of(q), List.of(e.tmp()), Attr.ints("perm", 0, 1, 3, 2));
        String k = e.node("Reshape", List.of(s.name(1), e.ints(n, 1, d, m)), List.of(e.tmp()));
        String v = e.node("Reshape", List.of(s.name(2), e.ints(n, 1, d, m)), List.of(e.tmp()));
        v = e.node("Transpose", List.of(v), List.of(e.tmp()), Attr.ints("perm", 0, 1, 3, 2));
        String a = e.node("MatMul", List.of(q, k), List.of(e.tmp())); // [n, heads, l, m]
        a = e.node("Mul", List.of(a, e.scalar(scale)), List.of(e.tmp()));
        a = e.node("Softmax", List.of(a), List.of(e.tmp()), Attr.i("axis", -1));
        String o = e.node("MatMul", List.of(a, v), List.of(e.tmp())); // [n, heads, l, d]
        o = e.node("Transpose", List.of(o), List.of(e.tmp()), Attr.ints("perm", 0, 1, 3, 2));
        e.node("Reshape", List.of(o, e.ints(n, y.c, y.h, y.w)), List.of(s.out()));
    }

    public double[] reference(List<Value> in, List<double[]> vals, Value y) {
        Value kv = in.get(1);
        return HostOps.multiQueryAttention(
                vals.get(0), vals.get(1), vals.get(2), y.n, y.h * y.w, kv.h * kv.w, heads, y.c / heads, scale);
    }
}
