package io.edgecl.graph;

import static io.edgecl.graph.OpSupport.require;
import static io.edgecl.graph.OpSupport.single;

import io.edgecl.graph.OnnxNodes.Attr;
import io.edgecl.graph.OnnxNodes.Site;
import io.edgecl.ops.Conv2d;
import io.edgecl.ops.Elementwise;
import io.edgecl.ops.Launch;
import java.util.List;

/** k×k pooling with stride and symmetric zero padding; average (count_include_pad as given) or max. */
public record Pool2dOp(int k, int stride, int pad, boolean max, boolean countIncludePad) implements OpSpec {
    public String kind() {
        return "pool2d";
    }

    public Shape outputShape(List<Shape> in) {
        Shape x = single(in);
        int oh = Conv2d.outSize(x.h(), k, stride, pad), ow = Conv2d.outSize(x.w(), k, stride, pad);
        require(oh > 0 && ow > 0, "a " + k + "x" + k + " window does not fit the " + x.h() + "x" + x.w() + " input");
        return new Shape(x.n(), oh, ow, x.c());
    }

    public List<Launch> lower(Lowering l, List<Value> in, Value y) {
        Value x = in.get(0);
        return List.of(Elementwise.pool2d(
                l.ctx(), l.buf(x), l.buf(y), x.n, x.h, x.w, x.c, y.h, y.w, k, stride, pad, max, countIncludePad));
    }

    public void onnx(OnnxNodes e, Site s) {
        int[] pads = {pad, pad, pad, pad};
        if (max) {
            e.node(
                    "MaxPool",
                    List.of(s.xi()),
                    List.of(s.out()),
                    Attr.ints("kernel_shape", k, k),
                    Attr.ints("strides", stride, stride),
                    Attr.ints("pads", pads));
        } else {
            e.node(
                    "AveragePool",
                    List.of(s.xi()),
                    List.of(s.out()),
                    Attr.ints("kernel_shape", k, k),
                    Attr.ints("strides", stride, stride),
                    Attr.ints("pads", pads),
                    Attr.i("count_include_pad", countIncludePad ? 1 : 0));
        }
    }

    public double[] reference(List<Value> in, List<double[]> vals, Value y) {
        return HostOps.pool2d(vals.get(0), in.get(0), y, k, stride, pad, max, countIncludePad);
    }
}
