package io.edgecl.graph;

import static io.edgecl.graph.OpSupport.qkvChannels;
import static io.edgecl.graph.OpSupport.require;
import static io.edgecl.graph.OpSupport.single;
import static io.edgecl.graph.OpSupport.squeeze1;

import io.edgecl.cl.ClBuffer;
import io.edgecl.cl.ClContext;
import io.edgecl.graph.OnnxNodes.Attr;
import io.edgecl.graph.OnnxNodes.Site;
import io.edgecl.ops.Attention;
import io.edgecl.ops.Launch;
import io.edgecl.ops.OpChoices;
import java.util.List;

/**
 * Multi-head self-attention from a qkv projection [n, h, w, 3C] (channel s*C + head*D + i) to
 * [n, h, w, C]: softmax(q·kᵀ × scale) · v per head. The tokens of an image split into
 * patchH × patchW groups by position (y mod patchH, x mod patchW) and attend only within their
 * group: MobileViT's unfolded patches without moving data. patchH = patchW = 1 is plain
 * attention over all tokens.
 */
public record SelfAttentionOp(int heads, float scale, int patchH, int patchW) implements OpSpec {
    public String kind() {
        return "self_attention";
    }

    public Shape outputShape(List<Shape> in) {
        Shape x = single(in);
        int c = qkvChannels(x, heads);
        require(
                x.h() % patchH == 0 && x.w() % patchW == 0,
                "the " + x.h() + "x" + x.w() + " input is not whole " + patchH + "x" + patchW + " patches");
        return new Shape(x.n(), x.h(), x.w(), c);
    }

    public long macs(List<Value> in, Value out) {
        long tokens = (long) out.h * out.w;
        long perGroup = tokens / ((long) patchH * patchW);
        return 2L * out.n * tokens * perGroup * out.c;
    }

    // scratch: none in the direct kernel GPUs run; CPU runtimes' variants pack keys and values
    // into the plan's transient scratch
    public long transientScratchBytes(ClContext ctx, OpChoices choices, List<Value> in, Value y) {
        return Attention.scratchBytes(
                Attention.variant(choices, ctx, y.c / heads), y.n, y.h, y.w, y.c, heads, patchH, patchW);
    }

    public List<Launch> lower(Lowering l, List<Value> in, Value y) {
        Attention.Variant v = Attention.variant(l.choices(), l.ctx(), y.c / heads);
        long bytes = Attention.scratchBytes(v, y.n, y.h, y.w, y.c, heads, patchH, patchW);
        ClBuffer kv = bytes > 0 ? l.transientScratch(bytes, "attn-kv") : null;
        return Attention.selfAttention(
                l.ctx(), l.buf(in.get(0)), l.buf(y), kv, y.n, y.h, y.w, y.c, heads, scale, patchH, patchW, v);
    }

    /** Softmax attention over tokens, grouped by position inside ph × pw patches. */
    public void onnx(OnnxNodes e, Site s) {
        Value y = s.y();
        int n = y.n, c = y.c, d = c / heads, ph = patchH, pw = patchW;
        int hg = y.h / ph, wg = y.w / pw, groups = heads * ph * pw, tokens = hg * wg;
        String r = e.node("Reshape", List.of(s.xi(), e.ints(n, 3, heads, d, hg, ph, wg, pw)), List.of(e.tmp()));
        // [n, 3, h, d, hg, ph, wg, pw] → [n, 3, h, ph, pw, d, hg, wg] → [n, 3, groups, d, tokens]
        r = e.node("Transpose", List.of(r), List.of(e.tmp()), Attr.ints("perm", 0, 1, 2, 5, 7, 3, 4, 6));
        r = e.node("Reshape", List.of(r, e.ints(n, 3, groups, d, tokens)), List.of(e.tmp()));
        List<String> qkv = List.of(e.tmp(), e.tmp(), e.tmp());
        e.node("Split", List.of(r), qkv, Attr.i("axis", 1));
        String q = squeeze1(e, qkv.get(0)), k = squeeze1(e, qkv.get(1)), v = squeeze1(e, qkv.get(2));
        String qt = e.node("Transpose", List.of(q), List.of(e.tmp()), Attr.ints("perm", 0, 1, 3, 2));
        String a = e.node("MatMul", List.of(qt, k), List.of(e.tmp()));
        a = e.node("Mul", List.of(a, e.scalar(scale)), List.of(e.tmp()));
        a = e.node("Softmax", List.of(a), List.of(e.tmp()), Attr.i("axis", -1));
        String vt = e.node("Transpose", List.of(v), List.of(e.tmp()), Attr.ints("perm", 0, 1, 3, 2));
        String o = e.node("MatMul", List.of(a, vt), List.of(e.tmp())); // [n, groups, tokens, d]
        o = e.node("Transpose", List.of(o), List.of(e.tmp()), Attr.ints("perm", 0, 1, 3, 2));
        o = e.node("Reshape", List.of(o, e.ints(n, heads, ph, pw, d, hg, wg)), List.of(e.tmp()));
        o = e.node("Transpose", List.of(o), List.of(e.tmp()), Attr.ints("perm", 0, 1, 4, 5, 2, 6, 3));
        e.node("Reshape", List.of(o, e.ints(n, c, y.h, y.w)), List.of(s.out()));
    }

    public double[] reference(List<Value> in, List<double[]> vals, Value y) {
        return HostOps.selfAttention(vals.get(0), y, heads, scale, patchH, patchW);
    }
}
