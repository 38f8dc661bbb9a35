package io.edgecl.graph;

import static io.edgecl.graph.OpSupport.require;
import static io.edgecl.graph.OpSupport.single;

import io.edgecl.graph.OnnxNodes.Site;
import io.edgecl.ops.Elementwise;
import io.edgecl.ops.Launch;
import io.edgecl.tensor.HostTensor;
import java.util.List;

/**
 * out = x + constant [H*W, C] broadcast over the batch (positional encoding).
 * {@code sourceMacsPerImage}: what computing the constant costs upstream per image (EdgeNeXt
 * projects its Fourier features every forward); counted so MAC figures compare with the papers.
 */
public record AddConstOp(HostTensor constant, long sourceMacsPerImage) implements OpSpec {
    public String kind() {
        return "add_const";
    }

    public Shape outputShape(List<Shape> in) {
        Shape x = single(in);
        require(
                constant.numel() == x.h() * x.w() * x.c(),
                "the constant has " + constant.numel() + " values, the input " + x.h() + "x" + x.w() + "x" + x.c()
                        + " per image");
        return x;
    }

    public long macs(List<Value> in, Value out) {
        return sourceMacsPerImage * out.n;
    }

    // params(): none; the constant is precomputed from weights and the input size

    public List<HostTensor> deviceTensors() {
        return List.of(constant);
    }

    public List<Launch> lower(Lowering l, List<Value> in, Value y) {
        return List.of(Elementwise.addBroadcast(
                l.ctx(), l.buf(in.get(0)), l.weight(constant), l.buf(y), (int) y.numel(), constant.numel()));
    }

    public void onnx(OnnxNodes e, Site s) {
        Value y = s.y();
        e.node(
                "Add",
                List.of(s.xi(), e.init(s.prefix() + ".const", Layouts.onnxHwc(constant, y.h, y.w, y.c))),
                List.of(s.out()));
    }

    public double[] reference(List<Value> in, List<double[]> vals, Value y) {
        return HostOps.addPeriodic(vals.get(0), constant.data());
    }
}
