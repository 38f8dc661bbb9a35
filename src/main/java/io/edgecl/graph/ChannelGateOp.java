package io.edgecl.graph;

import static io.edgecl.graph.OpSupport.inputs;
import static io.edgecl.graph.OpSupport.shapeOf;

import io.edgecl.graph.OnnxNodes.Site;
import io.edgecl.ops.Elementwise;
import io.edgecl.ops.Launch;
import java.util.List;

/** out = x * s[n, c]: inputs x [n, h, w, c] and the gate s [n, 1, 1, c] (already activated). */
public record ChannelGateOp() implements OpSpec {
    public String kind() {
        return "channel_gate";
    }

    public Shape outputShape(List<Shape> in) {
        inputs(in, 2);
        Shape x = in.get(0);
        shapeOf(in, 1, new Shape(x.n(), 1, 1, x.c()), "the gate");
        return x;
    }

    public List<Launch> lower(Lowering l, List<Value> in, Value y) {
        return List.of(Elementwise.channelGate(
                l.ctx(), l.buf(in.get(0)), l.buf(in.get(1)), l.buf(y), (int) y.numel(), y.h * y.w, y.c));
    }

    public void onnx(OnnxNodes e, Site s) {
        e.node("Mul", List.of(s.xi(), s.name(1)), List.of(s.out()));
    }

    public double[] reference(List<Value> in, List<double[]> vals, Value y) {
        double[] a = vals.get(0), g = vals.get(1), o = new double[a.length];
        int hwc = y.h * y.w * y.c;
        for (int i = 0; i < o.length; i++) o[i] = a[i] * g[(i / hwc) * y.c + i % y.c];
        return o;
    }
}
