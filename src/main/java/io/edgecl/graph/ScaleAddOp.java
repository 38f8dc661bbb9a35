package io.edgecl.graph;

import static io.edgecl.graph.OpSupport.perChannel;
import static io.edgecl.graph.OpSupport.require;
import static io.edgecl.graph.OpSupport.shapeOf;

import io.edgecl.cl.ClBuffer;
import io.edgecl.graph.OnnxNodes.Site;
import io.edgecl.ops.Elementwise;
import io.edgecl.ops.Launch;
import io.edgecl.tensor.HostTensor;
import java.util.List;

/** out = x * scale[c] (layer scale), plus the second input when present (residual). */
public record ScaleAddOp(HostTensor scale) implements OpSpec {
    public String kind() {
        return "scale_add";
    }

    public Shape outputShape(List<Shape> in) {
        require(in.size() == 1 || in.size() == 2, "takes 1 input or 2 (with the residual), got " + in.size());
        perChannel(scale, "scale", in.get(0).c());
        if (in.size() > 1) shapeOf(in, 1, in.get(0), "the residual");
        return in.get(0);
    }

    public List<HostTensor> params() {
        return List.of(scale);
    }

    public List<Launch> lower(Lowering l, List<Value> in, Value y) {
        Value x = in.get(0);
        ClBuffer res = in.size() > 1 ? l.buf(in.get(1)) : null;
        return List.of(Elementwise.scaleAdd(l.ctx(), l.buf(x), l.weight(scale), res, l.buf(y), (int) x.numel(), x.c));
    }

    public void onnx(OnnxNodes e, Site s) {
        boolean res = s.in().size() > 1;
        String t = e.node(
                "Mul",
                List.of(s.xi(), e.init(s.prefix() + ".scale", Layouts.onnxChannels(scale))),
                List.of(res ? e.tmp() : s.out()));
        if (res) e.node("Add", List.of(t, s.name(1)), List.of(s.out()));
    }

    public double[] reference(List<Value> in, List<double[]> vals, Value y) {
        return HostOps.scaleAdd(vals.get(0), scale.data(), in.size() > 1 ? vals.get(1) : null);
    }
}
