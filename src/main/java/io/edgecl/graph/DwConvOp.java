package io.edgecl.graph;

import static io.edgecl.graph.OpSupport.data;
import static io.edgecl.graph.OpSupport.dims;
import static io.edgecl.graph.OpSupport.nonNull;
import static io.edgecl.graph.OpSupport.perChannel;
import static io.edgecl.graph.OpSupport.require;
import static io.edgecl.graph.OpSupport.single;

import io.edgecl.cl.ClBuffer;
import io.edgecl.cl.ClContext;
import io.edgecl.graph.OnnxNodes.Attr;
import io.edgecl.graph.OnnxNodes.Site;
import io.edgecl.ops.Act;
import io.edgecl.ops.Conv2d;
import io.edgecl.ops.ConvShape;
import io.edgecl.ops.DepthwiseConv;
import io.edgecl.ops.DepthwiseConv.Slice;
import io.edgecl.ops.Launch;
import io.edgecl.ops.OpChoices;
import io.edgecl.tensor.HostTensor;
import java.util.List;

/**
 * Depthwise conv; weight [KH, KW, Cout]; output channel co reads input channel co / mult. Padding
 * as in {@link ConvOp}. With {@code sePool} its launch also writes the per-channel partial sums of
 * its output for the squeeze-excite gate that reads it ({@link Lowering#poolParts}; fusion rule
 * se-pool), where the vector kernel runs it.
 */
public record DwConvOp(
        HostTensor weight,
        HostTensor bias,
        int kh,
        int kw,
        int stride,
        int padH,
        int padW,
        int padBottom,
        int padRight,
        int mult,
        Act act,
        int dilation,
        boolean sePool)
        implements OpSpec {
    /** Without the pool's partial sums. */
    public DwConvOp(
            HostTensor weight,
            HostTensor bias,
            int kh,
            int kw,
            int stride,
            int padH,
            int padW,
            int padBottom,
            int padRight,
            int mult,
            Act act,
            int dilation) {
        this(weight, bias, kh, kw, stride, padH, padW, padBottom, padRight, mult, act, dilation, false);
    }

    /** Taps next to each other (dilation 1). */
    public DwConvOp(
            HostTensor weight,
            HostTensor bias,
            int kh,
            int kw,
            int stride,
            int padH,
            int padW,
            int padBottom,
            int padRight,
            int mult,
            Act act) {
        this(weight, bias, kh, kw, stride, padH, padW, padBottom, padRight, mult, act, 1);
    }

    /** Padded alike on both sides. */
    public DwConvOp(
            HostTensor weight, HostTensor bias, int kh, int kw, int stride, int padH, int padW, int mult, Act act) {
        this(weight, bias, kh, kw, stride, padH, padW, padH, padW, mult, act, 1);
    }

    public DwConvOp {
        if (dilation < 1) throw new ShapeException("dilation must be at least 1, got " + dilation);
    }

    /** The same conv with {@code a} applied to its result. */
    public DwConvOp withAct(Act a) {
        return new DwConvOp(weight, bias, kh, kw, stride, padH, padW, padBottom, padRight, mult, a, dilation, sePool);
    }

    /** This conv writing the squeeze-excite pool's partial sums beside its output. */
    public DwConvOp withSePool() {
        return new DwConvOp(weight, bias, kh, kw, stride, padH, padW, padBottom, padRight, mult, act, dilation, true);
    }

    /** The window's extent in input pixels along the height (kh with the gaps dilation leaves). */
    int spanH() {
        return dilation * (kh - 1) + 1;
    }

    int spanW() {
        return dilation * (kw - 1) + 1;
    }

    public String kind() {
        return "dwconv";
    }

    public Shape outputShape(List<Shape> in) {
        Shape x = single(in);
        dims(weight, "weight", kh, kw, x.c() * mult);
        perChannel(bias, "bias", x.c() * mult);
        int oh = Conv2d.outSize(x.h(), spanH(), stride, padH, padBottom);
        int ow = Conv2d.outSize(x.w(), spanW(), stride, padW, padRight);
        require(oh > 0 && ow > 0, "a " + kh + "x" + kw + " window does not fit the " + x.h() + "x" + x.w() + " input");
        return new Shape(x.n(), oh, ow, x.c() * mult);
    }

    public long macs(List<Value> in, Value out) {
        return out.numel() * kh * kw;
    }

    public List<HostTensor> params() {
        return nonNull(weight, bias);
    }

    private ConvShape shape(Value x, Value y) {
        return new ConvShape(x.n, x.h, x.w, x.c, y.c, kh, kw, stride, padH, padW, y.h, y.w);
    }

    /** The pool's partial sums where this conv writes them (se-pool, the vector kernel). */
    public long transientScratchBytes(ClContext ctx, OpChoices choices, List<Value> in, Value y) {
        return sePool ? Lowering.PoolParts.bytes(y, DepthwiseConv.poolParts(ctx, choices, shape(in.get(0), y))) : 0;
    }

    public List<Launch> lower(Lowering l, List<Value> in, Value y) {
        Value x = in.get(0);
        ConvShape shape = shape(x, y);
        int rows = sePool ? DepthwiseConv.poolParts(l.ctx(), l.choices(), shape) : 0;
        ClBuffer parts = rows > 0 ? l.writePoolParts(y, rows) : null;
        return List.of(DepthwiseConv.create(
                l.ctx(),
                l.choices(),
                shape,
                dilation,
                Slice.whole(l.buf(x), x.c),
                null,
                l.weight(weight),
                l.weight(bias),
                Slice.whole(l.buf(y), y.c),
                act,
                parts));
    }

    public void onnx(OnnxNodes e, Site s) {
        String t = e.node(
                "Conv",
                List.of(
                        s.xi(),
                        e.init(s.prefix() + ".weight", Layouts.onnxDepthwise(weight)),
                        bias == null ? "" : e.init(s.prefix() + ".bias", bias)),
                List.of(act != Act.NONE ? e.tmp() : s.out()),
                Attr.ints("kernel_shape", kh, kw),
                Attr.ints("strides", stride, stride),
                Attr.i("group", s.x().c),
                Attr.ints("dilations", dilation, dilation),
                Attr.ints("pads", Layouts.pads(s.x(), s.y(), spanH(), spanW(), stride, padH, padW)));
        e.activation(act, t, s.out());
    }

    public double[] reference(List<Value> in, List<double[]> vals, Value y) {
        return HostOps.dwconv(
                vals.get(0), in.get(0), y, weight.data(), data(bias), kh, kw, stride, padH, padW, mult, act, dilation);
    }
}
