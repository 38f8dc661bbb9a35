package io.edgecl.graph;

import io.edgecl.cl.ClContext;
import io.edgecl.graph.OnnxNodes.Site;
import io.edgecl.ops.ConvShape;
import io.edgecl.ops.DepthwiseGemm;
import io.edgecl.ops.ExpandDepthwise;
import io.edgecl.ops.Gemm;
import io.edgecl.ops.Launch;
import io.edgecl.ops.OpChoices;
import io.edgecl.tensor.HostTensor;
import java.util.ArrayList;
import java.util.List;

/**
 * A depthwise conv ({@code dw}: multiplier 1, dilation 1, a 3x3 window at stride 1, up to {@link
 * DepthwiseGemm#MAX_CHANNELS} channels) and the
 * 1x1 conv that reads it ({@code gemm}: bias, activation, layer scale and residual, no gate) in
 * one launch, the depthwise output never written ({@link DepthwiseGemm}). Inputs: the depthwise
 * conv's, then the residual when {@code gemm} has one.
 */
public record DwGemmOp(DwConvOp dw, GemmOp gemm) implements OpSpec {
    public DwGemmOp {
        if (gemm.gated()) throw new IllegalArgumentException("dw_gemm takes a 1x1 conv without a gate");
        if (dw.sePool()) throw new IllegalArgumentException("dw_gemm writes no pool partial sums");
        if (!fits(dw, gemm.weight().dim(0))) throw new IllegalArgumentException("dw_gemm cannot take " + dw);
    }

    /** Whether the fused kernel takes {@code dw} over {@code channels} channels as the first half (and pays). */
    static boolean fits(DwConvOp dw, int channels) {
        return dw.mult() == 1
                && dw.dilation() == 1
                && dw.kh() == dw.kw()
                && DepthwiseGemm.supports(dw.kh(), dw.stride(), channels);
    }

    public String kind() {
        return "dwconv_gemm";
    }

    /** The depthwise output the two halves pass between them (in the reference and ONNX only). */
    private Value mid(Value x) {
        Shape s = dw.outputShape(List.of(new Shape(x.n, x.h, x.w, x.c)));
        return new Value(-1, "depthwise", s.n(), s.h(), s.w(), s.c());
    }

    /** The 1x1 conv's inputs: the depthwise output, then the residual where there is one. */
    private static <T> List<T> gemmInputs(T mid, List<T> in) {
        ArrayList<T> out = new ArrayList<>(in.size());
        out.add(mid);
        out.addAll(in.subList(1, in.size()));
        return out;
    }

    public Shape outputShape(List<Shape> in) {
        return gemm.outputShape(gemmInputs(dw.outputShape(in.subList(0, 1)), in));
    }

    public long macs(List<Value> in, Value out) {
        Value mid = mid(in.get(0));
        return dw.macs(in.subList(0, 1), mid) + gemm.macs(gemmInputs(mid, in), out);
    }

    public List<HostTensor> params() {
        ArrayList<HostTensor> p = new ArrayList<>(dw.params());
        p.addAll(gemm.params());
        return p;
    }

    /** Scratch for the depthwise output where the two halves run as separate launches (GPUs). */
    public long transientScratchBytes(List<Value> in, Value y) {
        return mid(in.get(0)).bytes();
    }

    public long transientScratchBytes(ClContext ctx, OpChoices choices, List<Value> in, Value y) {
        return DepthwiseGemm.form(choices, ctx, y.rows()) == DepthwiseGemm.Form.SPLIT
                ? transientScratchBytes(in, y)
                : 0;
    }

    public List<Launch> lower(Lowering l, List<Value> in, Value y) {
        Value x = in.get(0);
        if (DepthwiseGemm.form(l.choices(), l.ctx(), y.rows()) == DepthwiseGemm.Form.SPLIT) return split(l, in, y);
        int k = x.c, n = y.c;
        HostTensor wd = dw.weight(), w = gemm.weight();
        Gemm.Config cfg = DepthwiseGemm.panels(l.choices(), l.ctx(), n);
        ConvShape s = new ConvShape(x.n, x.h, x.w, k, k, dw.kh(), dw.kw(), dw.stride(), dw.padH(), dw.padW(), y.h, y.w);
        return List.of(DepthwiseGemm.create(
                l.ctx(),
                s,
                l.buf(x),
                l.weight(wd),
                dw.bias() != null
                        ? l.weight(dw.bias())
                        : l.weight(wd, "dwg-zero-bias", () -> ExpandDepthwise.padRows(null, 1, k, 1)),
                dw.act(),
                l.weight(w, cfg.layout(), () -> Gemm.layoutB(w.data(), k, n, cfg)),
                n,
                l.weight(gemm.bias()),
                gemm.act(),
                l.weight(gemm.gamma()),
                gemm.residual() ? l.buf(in.get(1)) : null,
                l.buf(y),
                l.choices()));
    }

    /** The two halves as their own ops' launches, the depthwise output in the plan's transient scratch. */
    private List<Launch> split(Lowering l, List<Value> in, Value y) {
        Value mid = mid(in.get(0));
        Lowering into = Lowering.withScratchValue(l, mid, l.transientScratch(mid.bytes(), "depthwise"));
        ArrayList<Launch> out = new ArrayList<>(dw.lower(into, in.subList(0, 1), mid));
        out.addAll(gemm.lower(into, gemmInputs(mid, in), y));
        return out;
    }

    public void onnx(OnnxNodes e, Site s) {
        Value mid = mid(s.x());
        String t = e.tmp();
        dw.onnx(e, new Site(s.prefix() + ".dw", s.in().subList(0, 1), s.names().subList(0, 1), mid, t));
        gemm.onnx(e, new Site(s.prefix() + ".gemm", gemmInputs(mid, s.in()), gemmInputs(t, s.names()), s.y(), s.out()));
    }

    public double[] reference(List<Value> in, List<double[]> vals, Value y) {
        Value mid = mid(in.get(0));
        double[] d = dw.reference(in.subList(0, 1), vals.subList(0, 1), mid);
        return gemm.reference(gemmInputs(mid, in), gemmInputs(d, vals), y);
    }
}
