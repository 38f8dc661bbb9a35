package io.edgecl.graph;

import static io.edgecl.graph.OpSupport.require;

import io.edgecl.graph.OnnxNodes.Attr;
import io.edgecl.graph.OnnxNodes.Site;
import io.edgecl.ops.Elementwise;
import io.edgecl.ops.Launch;
import java.util.ArrayList;
import java.util.List;

/** Concatenation of the inputs along channels, in input order (same n, h, w). */
public record ConcatOp() implements OpSpec {
    public String kind() {
        return "concat";
    }

    public Shape outputShape(List<Shape> in) {
        require(!in.isEmpty(), "takes at least 1 input");
        Shape x = in.get(0);
        int c = 0;
        for (Shape s : in) {
            require(
                    s.n() == x.n() && s.h() == x.h() && s.w() == x.w(),
                    "inputs " + x + " and " + s + " differ in more than channels");
            c += s.c();
        }
        return new Shape(x.n(), x.h(), x.w(), c);
    }

    public List<Launch> lower(Lowering l, List<Value> in, Value y) {
        List<Launch> out = new ArrayList<>();
        int off = 0;
        for (Value v : in) {
            out.add(Elementwise.channelCopy(l.ctx(), l.buf(v), l.buf(y), v.c, v.rows(), v.c, 0, y.c, off));
            off += v.c;
        }
        return out;
    }

    public void onnx(OnnxNodes e, Site s) {
        e.node("Concat", s.names(), List.of(s.out()), Attr.i("axis", 1));
    }

    public double[] reference(List<Value> in, List<double[]> vals, Value y) {
        double[] o = new double[(int) y.numel()];
        int off = 0;
        for (int i = 0; i < in.size(); i++) {
            int c = in.get(i).c;
            for (int r = 0; r < y.rows(); r++) System.arraycopy(vals.get(i), r * c, o, r * y.c + off, c);
            off += c;
        }
        return o;
    }
}
