package io.edgecl.graph;

import static io.edgecl.graph.OpSupport.channelwise;
import static io.edgecl.graph.OpSupport.nonNull;

import io.edgecl.graph.OnnxNodes.Attr;
import io.edgecl.graph.OnnxNodes.Site;
import io.edgecl.ops.Launch;
import io.edgecl.ops.LayerNorm;
import io.edgecl.tensor.HostTensor;
import java.util.List;

/** LayerNorm over channels. */
public record LayerNormOp(HostTensor gamma, HostTensor beta, float eps) implements OpSpec {
    public String kind() {
        return "layernorm";
    }

    public Shape outputShape(List<Shape> in) {
        return channelwise(in, gamma, "gamma", beta, "beta");
    }

    public List<HostTensor> params() {
        return nonNull(gamma, beta);
    }

    public List<Launch> lower(Lowering l, List<Value> in, Value y) {
        Value x = in.get(0);
        return List.of(LayerNorm.create(
                l.ctx(), l.choices(), l.buf(x), l.weight(gamma), l.weight(beta), l.buf(y), x.rows(), x.c, eps));
    }

    public void onnx(OnnxNodes e, Site s) {
        String a = e.node("Transpose", List.of(s.xi()), List.of(e.tmp()), Attr.ints("perm", 0, 2, 3, 1));
        String b = e.node(
                "LayerNormalization",
                List.of(a, e.init(s.prefix() + ".weight", gamma), e.init(s.prefix() + ".bias", beta)),
                List.of(e.tmp()),
                Attr.i("axis", -1),
                Attr.f("epsilon", eps));
        e.node("Transpose", List.of(b), List.of(s.out()), Attr.ints("perm", 0, 3, 1, 2));
    }

    public double[] reference(List<Value> in, List<double[]> vals, Value y) {
        Value x = in.get(0);
        return HostOps.layerNorm(vals.get(0), x.rows(), x.c, gamma.data(), beta.data(), eps);
    }
}
