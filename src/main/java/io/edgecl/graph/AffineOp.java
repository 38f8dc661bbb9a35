package io.edgecl.graph;

import static io.edgecl.graph.OpSupport.channelwise;

import io.edgecl.graph.OnnxNodes.Site;
import io.edgecl.ops.Act;
import io.edgecl.ops.Elementwise;
import io.edgecl.ops.Launch;
import io.edgecl.tensor.HostTensor;
import java.util.List;

/** out = act(x * scale[c] + shift[c]): an eval-mode BatchNorm with no conv to fold into. */
public record AffineOp(HostTensor scale, HostTensor shift, Act act) implements OpSpec {
    public String kind() {
        return "affine";
    }

    public Shape outputShape(List<Shape> in) {
        return channelwise(in, scale, "scale", shift, "shift");
    }

    public List<HostTensor> params() {
        return List.of(scale, shift);
    }

    public List<Launch> lower(Lowering l, List<Value> in, Value y) {
        return List.of(Elementwise.affine(
                l.ctx(), l.buf(in.get(0)), l.weight(scale), l.weight(shift), l.buf(y), (int) y.numel(), y.c, act));
    }

    public void onnx(OnnxNodes e, Site s) {
        String t = e.node(
                "Mul", List.of(s.xi(), e.init(s.prefix() + ".scale", Layouts.onnxChannels(scale))), List.of(e.tmp()));
        t = e.node(
                "Add",
                List.of(t, e.init(s.prefix() + ".shift", Layouts.onnxChannels(shift))),
                List.of(act != Act.NONE ? e.tmp() : s.out()));
        e.activation(act, t, s.out());
    }

    public double[] reference(List<Value> in, List<double[]> vals, Value y) {
        double[] a = vals.get(0), o = new double[a.length];
        float[] sc = scale.data(), sh = shift.data();
        for (int i = 0; i < o.length; i++) o[i] = act.apply(a[i] * sc[i % y.c] + sh[i % y.c]);
        return o;
    }
}
