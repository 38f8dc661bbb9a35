package io.edgecl.graph;

import static io.edgecl.graph.OpSupport.require;
import static io.edgecl.graph.OpSupport.single;

import io.edgecl.cl.ClBuffer;
import io.edgecl.graph.OnnxNodes.Attr;
import io.edgecl.graph.OnnxNodes.Site;
import io.edgecl.ops.Launch;
import io.edgecl.ops.Resize;
import java.util.List;

/**
 * Bilinear resize to {@code height} × {@code width}, as PyTorch's
 * {@code interpolate(x, size=(height, width), mode="bilinear", align_corners=alignCorners)}.
 */
public record ResizeOp(int height, int width, boolean alignCorners) implements OpSpec {
    public ResizeOp {
        require(height > 0 && width > 0, "a resize needs a positive output size, got " + height + "x" + width);
    }

    public String kind() {
        return "resize";
    }

    public Shape outputShape(List<Shape> in) {
        Shape x = single(in);
        return new Shape(x.n(), height, width, x.c());
    }

    /** The width pass of {@link Resize#bilinearToNchw}, for an output the plan reads as NCHW (sized always: small beside the output). */
    public long transientScratchBytes(List<Value> in, Value out) {
        Value x = in.get(0);
        return Resize.toNchwScratchBytes(x.n, x.h, x.c, width);
    }

    public boolean writesNchwOutput() {
        return true;
    }

    public List<Launch> lower(Lowering l, List<Value> in, Value y) {
        Value x = in.get(0);
        if (l.nchwOutput(y)) {
            ClBuffer t = l.transientScratch(Resize.toNchwScratchBytes(x.n, x.h, x.c, width), "resize rows");
            return Resize.bilinearToNchw(
                    l.ctx(), l.buf(x), t, l.buf(y), x.n, x.h, x.w, x.c, height, width, alignCorners);
        }
        return List.of(Resize.bilinear(l.ctx(), l.buf(x), l.buf(y), x.n, x.h, x.w, x.c, height, width, alignCorners));
    }

    public void onnx(OnnxNodes e, Site s) {
        Value y = s.y();
        // pytorch_half_pixel maps a single output pixel to source 0 where PyTorch takes the centre;
        // half_pixel takes the centre (both clamp at the edge)
        String half = y.h > 1 && y.w > 1 ? "pytorch_half_pixel" : "half_pixel";
        e.node(
                "Resize",
                List.of(s.xi(), "", "", e.ints(y.n, y.c, y.h, y.w)),
                List.of(s.out()),
                Attr.s("mode", "linear"),
                Attr.s("coordinate_transformation_mode", alignCorners ? "align_corners" : half));
    }

    public double[] reference(List<Value> in, List<double[]> vals, Value y) {
        Value x = in.get(0);
        return HostOps.resizeBilinear(vals.get(0), x.n, x.h, x.w, x.c, height, width, alignCorners);
    }
}
