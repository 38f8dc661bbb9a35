package io.edgecl.graph;

import static io.edgecl.graph.OpSupport.data;
import static io.edgecl.graph.OpSupport.dims;
import static io.edgecl.graph.OpSupport.nonNull;
import static io.edgecl.graph.OpSupport.perChannel;
import static io.edgecl.graph.OpSupport.single;

import io.edgecl.graph.OnnxNodes.Attr;
import io.edgecl.graph.OnnxNodes.Site;
import io.edgecl.ops.DepthwiseConv;
import io.edgecl.ops.Launch;
import io.edgecl.tensor.HostTensor;
import java.util.List;

/**
 * Depthwise transposed conv with kernel = stride = s (each input pixel becomes an s×s patch):
 * out[n, y, x, c] = in[n, y/s, x/s, c] * w[y mod s, x mod s, c] + bias[c]; weight [s, s, C].
 */
public record DwConvTransposeOp(HostTensor weight, HostTensor bias, int stride) implements OpSpec {
    public String kind() {
        return "dwconv_transpose";
    }

    public Shape outputShape(List<Shape> in) {
        Shape x = single(in);
        dims(weight, "weight", stride, stride, x.c());
        perChannel(bias, "bias", x.c());
        return new Shape(x.n(), x.h() * stride, x.w() * stride, x.c());
    }

    public long macs(List<Value> in, Value out) {
        return out.numel();
    }

    public List<HostTensor> params() {
        return nonNull(weight, bias);
    }

    public List<Launch> lower(Lowering l, List<Value> in, Value y) {
        Value x = in.get(0);
        return List.of(DepthwiseConv.transpose(
                l.ctx(),
                l.choices(),
                l.buf(x),
                l.weight(weight),
                l.weight(bias),
                l.buf(y),
                x.n,
                x.h,
                x.w,
                x.c,
                stride));
    }

    public void onnx(OnnxNodes e, Site s) {
        int st = stride;
        e.node(
                "ConvTranspose",
                List.of(
                        s.xi(),
                        e.init(s.prefix() + ".weight", Layouts.onnxDepthwise(weight)),
                        bias == null ? "" : e.init(s.prefix() + ".bias", bias)),
                List.of(s.out()),
                Attr.ints("kernel_shape", st, st),
                Attr.ints("strides", st, st),
                Attr.i("group", s.x().c));
    }

    public double[] reference(List<Value> in, List<double[]> vals, Value y) {
        return HostOps.dwconvTranspose(vals.get(0), in.get(0), y, weight.data(), data(bias), stride);
    }
}
