package io.edgecl.graph;

import static io.edgecl.graph.OpSupport.require;

import io.edgecl.graph.OnnxNodes.Attr;
import io.edgecl.graph.OnnxNodes.Site;
import io.edgecl.ops.Elementwise;
import io.edgecl.ops.Launch;
import java.util.ArrayList;
import java.util.List;

/**
 * A detection head's per-level predictions [n, h_i, w_i, A_i · columns] joined into one
 * [n, 1, Σ h_i·w_i·A_i, columns]: torchvision's SSD view (N, A, K, H, W) → permute (N, H, W, A, K)
 * → reshape (N, HWA, K) → concatenation over levels. In NHWC storage each level already is its
 * (H, W, A, K) order, so the op is a copy: one launch per six levels.
 */
public record AnchorConcatOp(int columns) implements OpSpec {
    public AnchorConcatOp {
        require(columns > 0, "columns must be positive, got " + columns);
    }

    public String kind() {
        return "anchor_concat";
    }

    public Shape outputShape(List<Shape> in) {
        require(!in.isEmpty(), "takes at least 1 input");
        long rows = 0;
        for (Shape s : in) {
            require(s.n() == in.get(0).n(), "inputs " + in.get(0) + " and " + s + " differ in batch");
            require(
                    s.c() % columns == 0,
                    "a level's " + s.c() + " channels are not anchors of " + columns + " columns");
            rows += (long) s.h() * s.w() * (s.c() / columns);
        }
        require(rows <= Integer.MAX_VALUE, "too many anchors");
        return new Shape(in.get(0).n(), 1, (int) rows, columns);
    }

    public List<Launch> lower(Lowering l, List<Value> in, Value y) {
        List<Launch> out = new ArrayList<>();
        int total = y.w * columns, base = 0;
        // each image's level is one contiguous run, placed at its offset in the image's rows;
        // one launch joins up to six levels (SSDLite has six)
        for (int from = 0; from < in.size(); from += Elementwise.CONCAT_LEVELS) {
            List<Value> part = in.subList(from, Math.min(in.size(), from + Elementwise.CONCAT_LEVELS));
            List<io.edgecl.cl.ClBuffer> bufs = new ArrayList<>();
            int[] lengths = new int[part.size()];
            for (int i = 0; i < part.size(); i++) {
                Value v = part.get(i);
                bufs.add(l.buf(v));
                lengths[i] = v.h * v.w * v.c;
            }
            out.add(Elementwise.anchorConcat(l.ctx(), bufs, lengths, l.buf(y), total, base, y.n));
            for (int len : lengths) base += len;
        }
        return out;
    }

    public void onnx(OnnxNodes e, Site s) {
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < s.in().size(); i++) {
            Value v = s.in().get(i);
            int a = v.c / columns;
            String t = e.node("Reshape", List.of(s.name(i), e.ints(v.n, a, columns, v.h, v.w)), List.of(e.tmp()));
            t = e.node("Transpose", List.of(t), List.of(e.tmp()), Attr.ints("perm", 0, 3, 4, 1, 2));
            parts.add(e.node("Reshape", List.of(t, e.ints(v.n, (long) v.h * v.w * a, columns)), List.of(e.tmp())));
        }
        // [N, anchors, columns], then the NCHW form of the output value [n, columns, 1, anchors]
        String cat = e.node("Concat", parts, List.of(e.tmp()), Attr.i("axis", 1));
        String t = e.node("Transpose", List.of(cat), List.of(e.tmp()), Attr.ints("perm", 0, 2, 1));
        Value y = s.y();
        e.node("Reshape", List.of(t, e.ints(y.n, columns, 1, y.w)), List.of(s.out()));
    }

    public double[] reference(List<Value> in, List<double[]> vals, Value y) {
        double[] o = new double[(int) y.numel()];
        int total = y.w * columns, off = 0;
        for (int i = 0; i < in.size(); i++) {
            Value v = in.get(i);
            int len = v.h * v.w * v.c;
            for (int b = 0; b < v.n; b++) System.arraycopy(vals.get(i), b * len, o, b * total + off, len);
            off += len;
        }
        return o;
    }
}
