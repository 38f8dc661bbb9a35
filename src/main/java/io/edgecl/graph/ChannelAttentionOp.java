package io.edgecl.graph;

import static io.edgecl.graph.OpSupport.perChannel;
import static io.edgecl.graph.OpSupport.qkvChannels;
import static io.edgecl.graph.OpSupport.single;
import static io.edgecl.graph.OpSupport.squeeze1;

import io.edgecl.cl.ClBuffer;
import io.edgecl.cl.ClContext;
import io.edgecl.graph.OnnxNodes.Attr;
import io.edgecl.graph.OnnxNodes.Site;
import io.edgecl.ops.ChannelAttention;
import io.edgecl.ops.Launch;
import io.edgecl.ops.OpChoices;
import io.edgecl.tensor.HostTensor;
import java.util.List;

/** Cross-covariance attention from the qkv projection [.., 3C] to [.., C]. */
public record ChannelAttentionOp(HostTensor temperature, int heads, boolean oneKernel) implements OpSpec {
    public String kind() {
        return "channel_attention";
    }

    public Shape outputShape(List<Shape> in) {
        Shape x = single(in);
        int c = qkvChannels(x, heads);
        perChannel(temperature, "temperature", heads);
        return new Shape(x.n(), x.h(), x.w(), c);
    }

    public long macs(List<Value> in, Value out) {
        long d = out.c / heads;
        return 2L * out.n * heads * d * d * out.h * out.w;
    }

    public List<HostTensor> params() {
        return List.of(temperature);
    }

    public long scratchBytes(List<Value> in, Value y) {
        return 4L * ChannelAttention.scratchFloats(y.n, y.c, heads);
    }

    public long transientScratchBytes(ClContext ctx, OpChoices choices, List<Value> in, Value y) {
        if (!oneKernel || ChannelAttention.form(choices, ctx, y.c, heads) != ChannelAttention.Form.GEMM) return 0;
        return ChannelAttention.gemmScratchBytes(ctx, y.n, y.h * y.w, y.c, heads)[0];
    }

    public List<Launch> lower(Lowering l, List<Value> in, Value y) {
        ClBuffer x = l.buf(in.get(0));
        ChannelAttention.Form form = ChannelAttention.form(l.choices(), l.ctx(), y.c, heads);
        if (oneKernel && form == ChannelAttention.Form.GEMM) {
            long[] b = ChannelAttention.gemmScratchBytes(l.ctx(), y.n, y.h * y.w, y.c, heads);
            return ChannelAttention.createGemm(
                    l.ctx(),
                    x,
                    l.weight(temperature),
                    l.transientScratch(b[0], "xca-parts"),
                    l.scratch(b[1], "xca-packed"),
                    l.buf(y),
                    y.n,
                    y.h * y.w,
                    y.c,
                    heads);
        }
        ClBuffer s = l.scratch(scratchBytes(in, y), "attn-scratch");
        if (oneKernel) {
            return List.of(ChannelAttention.createFused(
                    l.ctx(), form, x, l.weight(temperature), s, l.buf(y), y.n, y.h * y.w, y.c, heads));
        }
        return ChannelAttention.create(l.ctx(), x, l.weight(temperature), s, l.buf(y), y.n, y.h * y.w, y.c, heads);
    }

    /** Per head: L2-normalised q and k along tokens, (C/h)×(C/h) attention × temperature. */
    public void onnx(OnnxNodes e, Site s) {
        Value y = s.y();
        int n = y.n, c = y.c, d = c / heads, t = y.h * y.w;
        String r = e.node("Reshape", List.of(s.xi(), e.ints(n, 3, heads, d, t)), List.of(e.tmp()));
        List<String> qkv = List.of(e.tmp(), e.tmp(), e.tmp());
        e.node("Split", List.of(r), qkv, Attr.i("axis", 1));
        String q = squeeze1(e, qkv.get(0)), k = squeeze1(e, qkv.get(1)), v = squeeze1(e, qkv.get(2));
        q = e.node("LpNormalization", List.of(q), List.of(e.tmp()), Attr.i("axis", -1), Attr.i("p", 2));
        k = e.node("LpNormalization", List.of(k), List.of(e.tmp()), Attr.i("axis", -1), Attr.i("p", 2));
        String kt = e.node("Transpose", List.of(k), List.of(e.tmp()), Attr.ints("perm", 0, 1, 3, 2));
        String a = e.node("MatMul", List.of(q, kt), List.of(e.tmp()));
        HostTensor temp = new HostTensor(new int[] {1, heads, 1, 1}, temperature.data());
        a = e.node("Mul", List.of(a, e.init(s.prefix() + ".temperature", temp)), List.of(e.tmp()));
        a = e.node("Softmax", List.of(a), List.of(e.tmp()), Attr.i("axis", -1));
        String o = e.node("MatMul", List.of(a, v), List.of(e.tmp()));
        e.node("Reshape", List.of(o, e.ints(n, c, y.h, y.w)), List.of(s.out()));
    }

    public double[] reference(List<Value> in, List<double[]> vals, Value y) {
        return HostOps.channelAttention(vals.get(0), y.n, y.h * y.w, y.c, heads, temperature.data());
    }
}
