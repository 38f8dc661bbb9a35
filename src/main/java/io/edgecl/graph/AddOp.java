package io.edgecl.graph;

import static io.edgecl.graph.OpSupport.inputs;
import static io.edgecl.graph.OpSupport.shapeOf;

import io.edgecl.graph.OnnxNodes.Site;
import io.edgecl.ops.Act;
import io.edgecl.ops.Elementwise;
import io.edgecl.ops.Launch;
import java.util.List;

/** out = act(in0 + in1), same shapes (residual connections). */
public record AddOp(Act act) implements OpSpec {
    public String kind() {
        return "add";
    }

    public Shape outputShape(List<Shape> in) {
        inputs(in, 2);
        shapeOf(in, 1, in.get(0), "the second addend");
        return in.get(0);
    }

    public List<Launch> lower(Lowering l, List<Value> in, Value y) {
        return List.of(Elementwise.add(l.ctx(), l.buf(in.get(0)), l.buf(in.get(1)), l.buf(y), (int) y.numel(), act));
    }

    public void onnx(OnnxNodes e, Site s) {
        String t = e.node("Add", List.of(s.xi(), s.name(1)), List.of(act != Act.NONE ? e.tmp() : s.out()));
        e.activation(act, t, s.out());
    }

    public double[] reference(List<Value> in, List<double[]> vals, Value y) {
        return HostOps.add(vals.get(0), vals.get(1), act);
    }
}
