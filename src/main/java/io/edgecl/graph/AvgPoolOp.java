package io.edgecl.graph;

import static io.edgecl.graph.OpSupport.inputs;

import io.edgecl.graph.OnnxNodes.Site;
import io.edgecl.ops.Elementwise;
import io.edgecl.ops.Launch;
import java.util.List;

/** Global average pool to [n, 1, 1, c]. */
public record AvgPoolOp() implements OpSpec {
    public String kind() {
        return "avgpool";
    }

    public Shape outputShape(List<Shape> in) {
        inputs(in, 1);
        return new Shape(in.get(0).n(), 1, 1, in.get(0).c());
    }

    public long transientScratchBytes(List<Value> in, Value y) {
        Value x = in.get(0);
        return Elementwise.globalAvgPoolScratch(x.n, x.h * x.w, x.c);
    }

    public List<Launch> lower(Lowering l, List<Value> in, Value y) {
        Value x = in.get(0);
        long bytes = transientScratchBytes(in, y);
        return Elementwise.globalAvgPool(
                l.ctx(),
                l.buf(x),
                l.buf(y),
                bytes > 0 ? l.transientScratch(bytes, "pool-parts") : null,
                x.n,
                x.h * x.w,
                x.c);
    }

    public void onnx(OnnxNodes e, Site s) {
        e.node("GlobalAveragePool", List.of(s.xi()), List.of(s.out()));
    }

    public double[] reference(List<Value> in, List<double[]> vals, Value y) {
        Value x = in.get(0);
        return HostOps.avgPool(vals.get(0), x.n, x.h * x.w, x.c);
    }
}
