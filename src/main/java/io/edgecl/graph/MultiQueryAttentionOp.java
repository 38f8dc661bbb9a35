package io.edgecl.graph;

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
 * Multi-query attention (MobileNetV4's mobile MQA): queries of {@code heads} heads of d channels
 * over one key and one value head of d channels shared by all of them, usually at a lower
 * resolution; out [n, h, w, heads × d] with out[t, head·d + i] = Σ_j softmax_j(q·k_j × scale) v_j[i].
 * The operands come in one of two forms, by the number of inputs:
 *
 * <ul>
 *   <li>3: q [n, h, w, heads × d], k and v [n, h', w', d];
 *   <li>1: qkv [n, h, w, (heads + 2) × d] (queries, then keys, then values): one projection of
 *       all three at the queries' resolution.
 * </ul>
 */
public record MultiQueryAttentionOp(int heads, float scale) implements OpSpec {
    public String kind() {
        return "multi_query_attention";
    }

    /** The head dimension d, from the first input's channels. */
    private int headDim(int inputs, int qc) {
        return inputs == 1 ? qc / (heads + 2) : qc / heads;
    }

    public Shape outputShape(List<Shape> in) {
        require(in.size() == 1 || in.size() == 3, "takes 1 input (qkv) or 3 (q, k and v), got " + in.size());
        Shape q = in.get(0);
        int parts = in.size() == 1 ? heads + 2 : heads;
        require(
                heads > 0 && q.c() % parts == 0,
                "the first input's " + q.c() + " channels are not " + parts + " heads");
        int d = q.c() / parts;
        require(d <= Attention.MAX_HEAD_DIM, "head dimension " + d + " is over " + Attention.MAX_HEAD_DIM);
        if (in.size() == 3) {
            Shape k = in.get(1), v = in.get(2);
            require(
                    k.c() == d && v.c() == d,
                    "keys and values need one head of " + d + " channels, got " + k.c() + " and " + v.c());
            require(
                    k.n() == q.n() && v.n() == q.n() && k.h() == v.h() && k.w() == v.w(),
                    "keys " + k + " and values " + v + " do not pair with queries " + q);
        }
        return new Shape(q.n(), q.h(), q.w(), heads * d);
    }

    /** The value that holds the keys. */
    private static Value keys(List<Value> in) {
        return in.get(in.size() == 1 ? 0 : 1);
    }

    public long macs(List<Value> in, Value out) {
        Value k = keys(in);
        return 2L * out.n * out.h * out.w * k.h * k.w * out.c;
    }

    private Attention.MqaLayout layout(List<Value> in) {
        int d = headDim(in.size(), in.get(0).c);
        return in.size() == 1
                ? new Attention.MqaLayout((heads + 2) * d, (heads + 2) * d, heads * d, (heads + 1) * d)
                : new Attention.MqaLayout(heads * d, d, 0, 0);
    }

    // scratch: none in the direct kernel GPUs run; CPU runtimes' variant packs the keys and
    // values into the plan's transient scratch
    public long transientScratchBytes(ClContext ctx, OpChoices choices, List<Value> in, Value y) {
        Value k = keys(in);
        return Attention.multiQueryScratchBytes(variant(ctx, choices, y), y.n, k.h * k.w, y.c / heads);
    }

    /** The blocked kernel where the device's (or the forced) self-attention variant packs keys, else the direct one. */
    private Attention.Variant variant(ClContext ctx, OpChoices choices, Value y) {
        Attention.Variant v = Attention.variant(choices, ctx, y.c / heads);
        return v == Attention.Variant.DIRECT ? v : Attention.Variant.BLOCKED;
    }

    public List<Launch> lower(Lowering l, List<Value> in, Value y) {
        Value k = keys(in);
        Attention.Variant v = variant(l.ctx(), l.choices(), y);
        long bytes = Attention.multiQueryScratchBytes(v, y.n, k.h * k.w, y.c / heads);
        ClBuffer kv = bytes > 0 ? l.transientScratch(bytes, "mqa-kv") : null;
        return Attention.multiQuery(
                l.ctx(),
                l.buf(in.get(0)),
                l.buf(k),
                l.buf(in.get(in.size() - 1)),
                l.buf(y),
                kv,
                y.n,
                y.h,
                y.w,
                k.h * k.w,
                heads,
                y.c / heads,
                scale,
                layout(in),
                v);
    }

    public void onnx(OnnxNodes e, Site s) {
        Value y = s.y();
        int n = y.n, d = y.c / heads, l = y.h * y.w;
        Value kv = keys(s.in());
        int m = kv.h * kv.w;
        // the operands as NCHW tensors of their own: q [n, heads·d, h, w], k and v [n, d, h', w']
        String q = s.xi(), k, v;
        if (s.in().size() == 3) {
            k = s.name(1);
            v = s.name(2);
        } else {
            q = slice(e, s.xi(), 0, heads * d);
            k = slice(e, s.xi(), heads * d, (heads + 1) * d);
            v = slice(e, s.xi(), (heads + 1) * d, (heads + 2) * d);
        }
        // q → [n, heads, l, d]; k, v → [n, 1, d, m]
        q = e.node("Reshape", List.of(q, e.ints(n, heads, d, l)), List.of(e.tmp()));
        q = e.node("Transpose", List.of(q), List.of(e.tmp()), Attr.ints("perm", 0, 1, 3, 2));
        k = e.node("Reshape", List.of(k, e.ints(n, 1, d, m)), List.of(e.tmp()));
        v = e.node("Reshape", List.of(v, e.ints(n, 1, d, m)), List.of(e.tmp()));
        v = e.node("Transpose", List.of(v), List.of(e.tmp()), Attr.ints("perm", 0, 1, 3, 2));
        String a = e.node("MatMul", List.of(q, k), List.of(e.tmp())); // [n, heads, l, m]
        a = e.node("Mul", List.of(a, e.scalar(scale)), List.of(e.tmp()));
        a = e.node("Softmax", List.of(a), List.of(e.tmp()), Attr.i("axis", -1));
        String o = e.node("MatMul", List.of(a, v), List.of(e.tmp())); // [n, heads, l, d]
        o = e.node("Transpose", List.of(o), List.of(e.tmp()), Attr.ints("perm", 0, 1, 3, 2));
        e.node("Reshape", List.of(o, e.ints(n, y.c, y.h, y.w)), List.of(s.out()));
    }

    /** Channels [from, to) of an NCHW tensor. */
    private static String slice(OnnxNodes e, String x, int from, int to) {
        return e.node("Slice", List.of(x, e.ints(from), e.ints(to), e.ints(1)), List.of(e.tmp()));
    }

    public double[] reference(List<Value> in, List<double[]> vals, Value y) {
        Value kv = keys(in);
        int d = y.c / heads, l = y.h * y.w, m = kv.h * kv.w;
        double[] q = vals.get(0), k, v;
        if (in.size() == 3) {
            k = vals.get(1);
            v = vals.get(2);
        } else {
            // split the packed operands into the three-input form
            double[] src = vals.get(in.size() == 1 ? 0 : 1);
            int stride = in.get(in.size() == 1 ? 0 : 1).c, base = in.size() == 1 ? heads * d : 0;
            int rows = y.n * m;
            k = new double[rows * d];
            v = new double[rows * d];
            for (int r = 0; r < rows; r++)
                for (int i = 0; i < d; i++) {
                    k[r * d + i] = src[r * stride + base + i];
                    v[r * d + i] = src[r * stride + base + d + i];
                }
            if (in.size() == 1) {
                double[] qq = new double[y.n * l * heads * d];
                for (int r = 0; r < y.n * l; r++) System.arraycopy(src, r * stride, qq, r * heads * d, heads * d);
                q = qq;
            }
        }
        return HostOps.multiQueryAttention(q, k, v, y.n, l, m, heads, d, scale);
    }
}
