package io.edgecl.graph;

import io.edgecl.graph.OnnxNodes.Site;
import io.edgecl.ops.ConvShape;
import io.edgecl.ops.DepthwiseConv;
import io.edgecl.ops.Launch;
import io.edgecl.tensor.HostTensor;
import java.util.ArrayList;
import java.util.List;

/** Depthwise conv and the LayerNorm over channels that follows it, in one launch. */
public record DwConvLayerNormOp(DwConvOp dw, LayerNormOp ln) implements OpSpec {
    public String kind() {
        return "dwconv_layernorm";
    }

    public Shape outputShape(List<Shape> in) {
        return ln.outputShape(List.of(dw.outputShape(in)));
    }

    public long macs(List<Value> in, Value out) {
        return dw.macs(in, out);
    }

    public List<HostTensor> params() {
        ArrayList<HostTensor> p = new ArrayList<>(dw.params());
        p.addAll(ln.params());
        return p;
    }

    public List<Launch> lower(Lowering l, List<Value> in, Value y) {
        Value x = in.get(0);
        ConvShape shape =
                new ConvShape(x.n, x.h, x.w, x.c, y.c, dw.kh(), dw.kw(), dw.stride(), dw.padH(), dw.padW(), y.h, y.w);
        return List.of(DepthwiseConv.createWithLayerNorm(
                l.ctx(),
                l.choices(),
                shape,
                l.buf(x),
                l.weight(dw.weight()),
                l.weight(dw.bias()),
                l.weight(ln.gamma()),
                l.weight(ln.beta()),
                ln.eps(),
                l.buf(y)));
    }

    public void onnx(OnnxNodes e, Site s) {
        String mid = e.tmp();
        dw.onnx(e, new Site(s.prefix() + ".dw", s.in(), s.names(), s.y(), mid));
        ln.onnx(e, new Site(s.prefix() + ".norm", List.of(s.y()), List.of(mid), s.y(), s.out()));
    }

    public double[] reference(List<Value> in, List<double[]> vals, Value y) {
        return ln.reference(List.of(y), List.of(dw.reference(in, vals, y)), y);
    }
}
