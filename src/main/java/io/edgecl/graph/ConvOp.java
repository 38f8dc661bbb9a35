package io.edgecl.graph;

import static io.edgecl.graph.OpSupport.data;
import static io.edgecl.graph.OpSupport.nonNull;

import io.edgecl.cl.ClBuffer;
import io.edgecl.graph.OnnxNodes.Attr;
import io.edgecl.graph.OnnxNodes.Site;
import io.edgecl.ops.ConvShape;
import io.edgecl.ops.Act;
import io.edgecl.ops.Conv2d;
import io.edgecl.ops.Gemm;
import io.edgecl.ops.Launch;
import io.edgecl.tensor.HostTensor;
import java.util.List;

/** Dense conv; weight [KH, KW, Cin, Cout]. */
public record ConvOp(HostTensor weight, HostTensor bias, int kh, int kw, int stride, int padH, int padW, Act act)
        implements OpSpec {
    public String kind() {
        return "conv2d";
    }

    public long macs(List<Value> in, Value out) {
        return out.numel() * kh * kw * in.get(0).c;
    }

    public List<HostTensor> params() {
        return nonNull(weight, bias);
    }

    public List<Launch> lower(Lowering l, List<Value> in, Value y) {
        Value x = in.get(0);
        Gemm.Config panel = Conv2d.panel(l.choices(), l.ctx(), y.c);
        int k = kh * kw * x.c;
        ClBuffer w = panel != null
                ? l.weight(weight, panel.layout(), () -> Gemm.layoutB(weight.data(), k, y.c, panel))
                : l.weight(weight);
        ConvShape shape = new ConvShape(x.n, x.h, x.w, x.c, y.c, kh, kw, stride, padH, padW, y.h, y.w);
        return List.of(Conv2d.create(l.ctx(), l.choices(), shape, l.buf(x), w, l.weight(bias), l.buf(y), act, panel));
    }

    public void onnx(OnnxNodes e, Site s) {
        String t = e.node("Conv", List.of(s.xi(), e.init(s.prefix() + ".weight", Layouts.onnxConv(weight)),
                        bias == null ? "" : e.init(s.prefix() + ".bias", bias)),
                List.of(act != Act.NONE ? e.tmp() : s.out()), Attr.ints("kernel_shape", kh, kw),
                Attr.ints("strides", stride, stride), Attr.ints("pads", Layouts.pads(s.x(), s.y(), kh, kw, stride,
                        padH, padW)));
        e.activation(act, t, s.out());
    }

    public double[] reference(List<Value> in, List<double[]> vals, Value y) {
        return HostOps.conv(vals.get(0), in.get(0), y, weight.data(), data(bias), kh, kw, stride, padH, padW, act);
    }
}
