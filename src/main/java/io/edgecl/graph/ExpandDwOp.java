package io.edgecl.graph;

import io.edgecl.cl.ClBuffer;
import io.edgecl.cl.ClContext;
import io.edgecl.graph.OnnxNodes.Site;
import io.edgecl.ops.ConvShape;
import io.edgecl.ops.ExpandDepthwise;
import io.edgecl.ops.Launch;
import io.edgecl.ops.OpChoices;
import io.edgecl.tensor.HostTensor;
import java.util.ArrayList;
import java.util.List;

/**
 * An inverted-residual block's 1x1 expansion ({@code expand}: bias and activation, no gate,
 * scale or residual) and the depthwise conv that reads it ({@code dw}: multiplier 1, dilation
 * 1, a square 3x3 or 5x5 window at stride 1 or 2) in one launch, the expanded tensor never
 * written ({@link ExpandDepthwise}). With {@code sePool} the launch also writes the per-channel
 * partial sums of its output for the squeeze-excite gate that reads it ({@link
 * Lowering#poolParts}; fusion rule se-pool), where its form is the fused kernel.
 */
public record ExpandDwOp(GemmOp expand, DwConvOp dw, boolean sePool) implements OpSpec {
    public ExpandDwOp(GemmOp expand, DwConvOp dw) {
        this(expand, dw, false);
    }

    /** This op writing the squeeze-excite pool's partial sums beside its output. */
    public ExpandDwOp withSePool() {
        return new ExpandDwOp(expand, dw, true);
    }

    public ExpandDwOp {
        if (expand.gated() || expand.gamma() != null || expand.residual()) {
            throw new IllegalArgumentException("the expansion of expand_dw takes a bias and an activation only");
        }
        if (!fits(dw)) throw new IllegalArgumentException("expand_dw cannot take this depthwise conv: " + dw);
    }

    /** Whether the fused kernel takes {@code dw} as the second half. */
    static boolean fits(DwConvOp dw) {
        return dw.mult() == 1
                && dw.dilation() == 1
                && dw.kh() == dw.kw()
                && ExpandDepthwise.supports(dw.kh(), dw.stride());
    }

    public String kind() {
        return "expand_dwconv";
    }

    /** The expanded tensor the two halves pass between them (in the reference and ONNX only). */
    private Value mid(Value x) {
        return new Value(-1, "expanded", x.n, x.h, x.w, expand.weight().dim(1));
    }

    public Shape outputShape(List<Shape> in) {
        return dw.outputShape(List.of(expand.outputShape(in)));
    }

    public long macs(List<Value> in, Value out) {
        Value mid = mid(in.get(0));
        return expand.macs(in, mid) + dw.macs(List.of(mid), out);
    }

    public List<HostTensor> params() {
        ArrayList<HostTensor> p = new ArrayList<>(expand.params());
        p.addAll(dw.params());
        return p;
    }

    /** Scratch for the expanded tensor where the two halves run as separate launches (GPUs). */
    public long transientScratchBytes(List<Value> in, Value y) {
        return mid(in.get(0)).bytes();
    }

    public long transientScratchBytes(ClContext ctx, OpChoices choices, List<Value> in, Value y) {
        if (ExpandDepthwise.form(choices, ctx) == ExpandDepthwise.Form.SPLIT) return transientScratchBytes(in, y);
        return sePool ? Lowering.PoolParts.bytes(y, ExpandDepthwise.poolParts(ctx, shape(in.get(0), y))) : 0;
    }

    private ConvShape shape(Value x, Value y) {
        int k = dw.kh();
        return new ConvShape(x.n, x.h, x.w, x.c, y.c, k, k, dw.stride(), dw.padH(), dw.padW(), y.h, y.w);
    }

    public List<Launch> lower(Lowering l, List<Value> in, Value y) {
        Value x = in.get(0);
        int cin = x.c, cexp = y.c, k = dw.kh();
        if (ExpandDepthwise.form(l.choices(), l.ctx()) == ExpandDepthwise.Form.SPLIT) return split(l, x, y);
        int vw = ExpandDepthwise.channelWidth(l.ctx());
        String v = String.valueOf(vw);
        HostTensor we = expand.weight(), wd = dw.weight();
        ConvShape s = shape(x, y);
        ClBuffer parts = sePool ? l.writePoolParts(y, ExpandDepthwise.poolParts(l.ctx(), s)) : null;
        return List.of(ExpandDepthwise.create(
                l.ctx(),
                s,
                l.buf(x),
                // the expansion's panels are the panel GEMM's of that width: one copy for both
                l.weight(we, "panels" + v, () -> ExpandDepthwise.layoutExpand(we.data(), cin, cexp, vw)),
                l.weight(we, "xdw-bias" + v, () -> ExpandDepthwise.padRows(OpSupport.data(expand.bias()), 1, cexp, vw)),
                expand.act(),
                l.weight(wd, "xdw" + v, () -> ExpandDepthwise.padRows(wd.data(), k * k, cexp, vw)),
                l.weight(wd, "xdw-bias" + v, () -> ExpandDepthwise.padRows(OpSupport.data(dw.bias()), 1, cexp, vw)),
                dw.act(),
                l.buf(y),
                parts,
                l.choices()));
    }

    /** The two halves as their own ops' launches, the expanded tensor in the plan's transient scratch. */
    private List<Launch> split(Lowering l, Value x, Value y) {
        Value mid = mid(x);
        Lowering into = Lowering.withScratchValue(l, mid, l.transientScratch(mid.bytes(), "expanded"));
        ArrayList<Launch> out = new ArrayList<>(expand.lower(into, List.of(x), mid));
        out.addAll(dw.lower(into, List.of(mid), y));
        return out;
    }

    public void onnx(OnnxNodes e, Site s) {
        Value mid = mid(s.x());
        String t = e.tmp();
        expand.onnx(e, new Site(s.prefix() + ".expand", s.in(), s.names(), mid, t));
        dw.onnx(e, new Site(s.prefix() + ".dw", List.of(mid), List.of(t), s.y(), s.out()));
    }

    public double[] reference(List<Value> in, List<double[]> vals, Value y) {
        Value mid = mid(in.get(0));
        return dw.reference(List.of(mid), List.of(expand.reference(in, vals, mid)), y);
    }
}
