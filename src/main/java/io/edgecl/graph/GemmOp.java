package io.edgecl.graph;

import static io.edgecl.graph.OpSupport.data;
import static io.edgecl.graph.OpSupport.dims;
import static io.edgecl.graph.OpSupport.inputs;
import static io.edgecl.graph.OpSupport.nonNull;
import static io.edgecl.graph.OpSupport.perChannel;
import static io.edgecl.graph.OpSupport.shapeOf;

import io.edgecl.cl.ClBuffer;
import io.edgecl.graph.OnnxNodes.Attr;
import io.edgecl.graph.OnnxNodes.Site;
import io.edgecl.ops.Act;
import io.edgecl.ops.Gemm;
import io.edgecl.ops.Launch;
import io.edgecl.tensor.HostTensor;
import java.util.List;

/**
 * Linear over channels: out = act((x [* gate]) · W + bias) [* gamma] [+ residual]; weight [K, N].
 * Inputs: x, then the gate [n, 1, 1, K] when {@code gated} (a squeeze-excite scale applied to
 * x as it is read), then the residual when {@code residual}.
 */
public record GemmOp(HostTensor weight, HostTensor bias, Act act, HostTensor gamma, boolean residual, boolean gated)
        implements OpSpec {
    public GemmOp(HostTensor weight, HostTensor bias, Act act, HostTensor gamma, boolean residual) {
        this(weight, bias, act, gamma, residual, false);
    }

    public String kind() {
        return "gemm";
    }

    public Shape outputShape(List<Shape> in) {
        inputs(in, 1 + (gated ? 1 : 0) + (residual ? 1 : 0));
        Shape x = in.get(0);
        dims(weight, "weight", x.c(), -1);
        int n = weight.dim(1);
        perChannel(bias, "bias", n);
        perChannel(gamma, "gamma", n);
        Shape y = new Shape(x.n(), x.h(), x.w(), n);
        if (gated) shapeOf(in, 1, new Shape(x.n(), 1, 1, x.c()), "the gate");
        if (residual) shapeOf(in, gated ? 2 : 1, y, "the residual");
        return y;
    }

    public long macs(List<Value> in, Value out) {
        return (long) out.rows() * out.c * in.get(0).c;
    }

    public List<HostTensor> params() {
        return nonNull(weight, bias, gamma);
    }

    public List<Launch> lower(Lowering l, List<Value> in, Value y) {
        Value x = in.get(0);
        ClBuffer gate = gated ? l.buf(in.get(1)) : null;
        ClBuffer res = residual ? l.buf(in.get(gated ? 2 : 1)) : null;
        int m = x.rows(), n = y.c, k = x.c;
        Gemm.Config cfg = Gemm.config(l.choices(), l.ctx(), m, n, k);
        ClBuffer b = cfg.packed()
                ? l.weight(weight, cfg.layout(), () -> Gemm.layoutB(weight.data(), k, n, cfg))
                : l.weight(weight);
        return List.of(Gemm.create(
                l.ctx(),
                l.choices(),
                Gemm.Call.of(l.buf(x), b, l.buf(y), m, n, k)
                        .bias(l.weight(bias))
                        .act(act)
                        .gamma(l.weight(gamma))
                        .residual(res)
                        .gate(gate, x.h * x.w),
                cfg));
    }

    public void onnx(OnnxNodes e, Site s) {
        String a = s.xi();
        int next = 1;
        if (gated) a = e.node("Mul", List.of(a, s.name(next++)), List.of(e.tmp()));
        boolean after = gamma != null || residual;
        String t = e.node(
                "Conv",
                List.of(
                        a,
                        e.init(s.prefix() + ".weight", Layouts.onnxLinearAsConv(weight)),
                        bias == null ? "" : e.init(s.prefix() + ".bias", bias)),
                List.of(act != Act.NONE || after ? e.tmp() : s.out()),
                Attr.ints("kernel_shape", 1, 1));
        t = e.activation(act, t, after ? e.tmp() : s.out());
        if (gamma != null) {
            t = e.node(
                    "Mul",
                    List.of(t, e.init(s.prefix() + ".gamma", Layouts.onnxChannels(gamma))),
                    List.of(residual ? e.tmp() : s.out()));
        }
        if (residual) e.node("Add", List.of(t, s.name(next)), List.of(s.out()));
    }

    public double[] reference(List<Value> in, List<double[]> vals, Value y) {
        Value x = in.get(0);
        double[] gate = gated ? vals.get(1) : null;
        double[] res = residual ? vals.get(gated ? 2 : 1) : null;
        return HostOps.gemm(
                vals.get(0), gate, x.h * x.w, res, x.rows(), x.c, y.c, weight.data(), data(bias), act, data(gamma));
    }
}
