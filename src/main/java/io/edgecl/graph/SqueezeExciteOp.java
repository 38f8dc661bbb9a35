package io.edgecl.graph;

import io.edgecl.cl.ClBuffer;
import io.edgecl.graph.OnnxNodes.Site;
import io.edgecl.ops.Launch;
import io.edgecl.ops.SqueezeExcite;
import io.edgecl.tensor.HostTensor;
import java.util.ArrayList;
import java.util.List;

/**
 * A squeeze-excite gate: the global average pool and the two 1x1 convs after it ({@code
 * reduce}, {@code expand}: each with a bias and an activation, nothing else), [n, h, w, c] to [n, 1, 1, c], in one launch
 * ({@link SqueezeExcite}).
 */
public record SqueezeExciteOp(GemmOp reduce, GemmOp expand) implements OpSpec {
    public SqueezeExciteOp {
        for (GemmOp g : List.of(reduce, expand)) {
            if (g.gated() || g.gamma() != null || g.residual() || g.bias() == null) {
                throw new IllegalArgumentException("a squeeze-excite conv has a bias and an activation only");
            }
        }
    }

    public String kind() {
        return "squeeze_excite";
    }

    private static Value pooled(Value x, int c, String name) {
        return new Value(-1, name, x.n, 1, 1, c);
    }

    public Shape outputShape(List<Shape> in) {
        Shape p = new AvgPoolOp().outputShape(in);
        return expand.outputShape(List.of(reduce.outputShape(List.of(p))));
    }

    public long macs(List<Value> in, Value out) {
        Value x = in.get(0);
        Value p = pooled(x, x.c, "pooled"), h = pooled(x, reduce.weight().dim(1), "hidden");
        return reduce.macs(List.of(p), h) + expand.macs(List.of(h), out);
    }

    public List<HostTensor> params() {
        ArrayList<HostTensor> p = new ArrayList<>(reduce.params());
        p.addAll(expand.params());
        return p;
    }

    public List<Launch> lower(Lowering l, List<Value> in, Value y) {
        Value x = in.get(0);
        int c = x.c, cr = reduce.weight().dim(1);
        // the two-launch form (CPU runtimes, small batches, wide gates): its hidden partial sums
        // and the expanding weights transposed
        int groups = SqueezeExcite.splitGroups(l.choices(), l.ctx(), x.n, c, cr);
        long hb = SqueezeExcite.hiddenPartsBytes(l.ctx(), groups, x.n, cr);
        ClBuffer hparts = hb > 0 ? l.scratch(hb, "se-hidden-parts") : null;
        HostTensor w2 = expand.weight();
        SqueezeExcite.Convs convs = new SqueezeExcite.Convs(
                l.weight(reduce.weight()),
                l.weight(reduce.bias()),
                reduce.act(),
                hb > 0 ? null : l.weight(w2),
                l.weight(expand.bias()),
                expand.act(),
                hb > 0 ? l.weight(w2, "se-t", () -> SqueezeExcite.transpose(w2.data(), cr, c)) : null);
        // x's producer added up its pixels as it wrote them (fusion rule se-pool)
        Lowering.PoolParts parts = l.poolParts(x);
        if (parts != null) {
            return SqueezeExcite.fromParts(
                    l.ctx(), groups, parts.buffer(), parts.rows(), convs, l.buf(y), hparts, x.n, x.h * x.w, c, cr);
        }
        long scratch = transientScratchBytes(in, y);
        return SqueezeExcite.launches(
                l.ctx(),
                groups,
                l.buf(x),
                scratch > 0 ? l.transientScratch(scratch, "pool-parts") : null,
                hparts,
                convs,
                l.buf(y),
                x.n,
                x.h * x.w,
                c,
                cr);
    }

    public long transientScratchBytes(List<Value> in, Value y) {
        Value x = in.get(0);
        return SqueezeExcite.scratchBytes(x.n, x.h * x.w, x.c);
    }

    public void onnx(OnnxNodes e, Site s) {
        Value x = s.x();
        Value p = pooled(x, x.c, "pooled"), h = pooled(x, reduce.weight().dim(1), "hidden");
        String tp = e.tmp();
        e.node("GlobalAveragePool", List.of(s.xi()), List.of(tp));
        String th = e.tmp();
        reduce.onnx(e, new Site(s.prefix() + ".conv_reduce", List.of(p), List.of(tp), h, th));
        expand.onnx(e, new Site(s.prefix() + ".conv_expand", List.of(h), List.of(th), s.y(), s.out()));
    }

    public double[] reference(List<Value> in, List<double[]> vals, Value y) {
        Value x = in.get(0);
        Value p = pooled(x, x.c, "pooled"), h = pooled(x, reduce.weight().dim(1), "hidden");
        double[] pv = HostOps.avgPool(vals.get(0), x.n, x.h * x.w, x.c);
        double[] hv = reduce.reference(List.of(p), List.of(pv), h);
        return expand.reference(List.of(h), List.of(hv), y);
    }
}
