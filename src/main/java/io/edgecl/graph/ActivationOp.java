package io.edgecl.graph;

import static io.edgecl.graph.OpSupport.inputs;

import io.edgecl.graph.OnnxNodes.Site;
import io.edgecl.ops.Act;
import io.edgecl.ops.Elementwise;
import io.edgecl.ops.Launch;
import java.util.List;

/** Element-wise activation. */
public record ActivationOp(Act act) implements OpSpec {
    public String kind() {
        return "activation";
    }

    public Shape outputShape(List<Shape> in) {
        inputs(in, 1);
        return in.get(0);
    }

    public List<Launch> lower(Lowering l, List<Value> in, Value y) {
        return List.of(Elementwise.activation(l.ctx(), l.buf(in.get(0)), l.buf(y), (int) y.numel(), act));
    }

    public void onnx(OnnxNodes e, Site s) {
        if (act == Act.NONE) e.node("Identity", List.of(s.xi()), List.of(s.out()));
        else e.activation(act, s.xi(), s.out());
    }

    public double[] reference(List<Value> in, List<double[]> vals, Value y) {
        return HostOps.activation(vals.get(0), act);
    }
}
