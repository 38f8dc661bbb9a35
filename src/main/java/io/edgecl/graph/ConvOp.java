package io.edgecl.graph;

import static io.edgecl.graph.OpSupport.data;
import static io.edgecl.graph.OpSupport.dims;
import static io.edgecl.graph.OpSupport.nonNull;
import static io.edgecl.graph.OpSupport.perChannel;
import static io.edgecl.graph.OpSupport.require;
import static io.edgecl.graph.OpSupport.single;

import io.edgecl.cl.ClBuffer;
import io.edgecl.graph.OnnxNodes.Attr;
import io.edgecl.graph.OnnxNodes.Site;
import io.edgecl.ops.Act;
import io.edgecl.ops.Conv2d;
import io.edgecl.ops.ConvShape;
import io.edgecl.ops.Gemm;
import io.edgecl.ops.Launch;
import io.edgecl.tensor.HostTensor;
import java.util.List;

/**
 * Dense conv; weight [KH, KW, Cin, Cout]. padH/padW pad the top/left, padBottom/padRight the
 * bottom/right (TensorFlow "same" padding is asymmetric).
 */
public record ConvOp(
        HostTensor weight,
        HostTensor bias,
        int kh,
        int kw,
        int stride,
        int padH,
        int padW,
        int padBottom,
        int padRight,
        Act act,
        int dilation)
        implements OpSpec {
    /** Taps next to each other (dilation 1). */
    public ConvOp(
            HostTensor weight,
            HostTensor bias,
            int kh,
            int kw,
            int stride,
            int padH,
            int padW,
            int padBottom,
            int padRight,
            Act act) {
        this(weight, bias, kh, kw, stride, padH, padW, padBottom, padRight, act, 1);
    }

    /** Padded alike on both sides. */
    public ConvOp(HostTensor weight, HostTensor bias, int kh, int kw, int stride, int padH, int padW, Act act) {
        this(weight, bias, kh, kw, stride, padH, padW, padH, padW, act, 1);
    }

    public ConvOp {
        if (dilation < 1) throw new ShapeException("dilation must be at least 1, got " + dilation);
    }

    /** The same conv with {@code a} applied to its result. */
    public ConvOp withAct(Act a) {
        return new ConvOp(weight, bias, kh, kw, stride, padH, padW, padBottom, padRight, a, dilation);
    }

    /** The window's extent in input pixels (the kernel with the gaps dilation leaves). */
    int spanH() {
        return dilation * (kh - 1) + 1;
    }

    int spanW() {
        return dilation * (kw - 1) + 1;
    }

    public String kind() {
        return "conv2d";
    }

    public Shape outputShape(List<Shape> in) {
        Shape x = single(in);
        dims(weight, "weight", kh, kw, x.c(), -1);
        int co = weight.dim(3);
        perChannel(bias, "bias", co);
        int oh = Conv2d.outSize(x.h(), spanH(), stride, padH, padBottom);
        int ow = Conv2d.outSize(x.w(), spanW(), stride, padW, padRight);
        require(oh > 0 && ow > 0, "a " + kh + "x" + kw + " window does not fit the " + x.h() + "x" + x.w() + " input");
        return new Shape(x.n(), oh, ow, co);
    }

    public long macs(List<Value> in, Value out) {
        return out.numel() * kh * kw * in.get(0).c;
    }

    public List<HostTensor> params() {
        return nonNull(weight, bias);
    }

    public List<Launch> lower(Lowering l, List<Value> in, Value y) {
        Value x = in.get(0);
        // Taps that fall outside the input for every output pixel add nothing: a widely dilated
        // conv on a small map (DeepLabV3's rate-36 branch on a 33x33 map is a 1x1 conv) runs
        // without them.
        int[] rows = usedTaps(x.h, y.h, kh, padH), cols = usedTaps(x.w, y.w, kw, padW);
        if (rows != null && cols != null && (rows[0] > 0 || rows[1] < kh - 1 || cols[0] > 0 || cols[1] < kw - 1)) {
            int nh = rows[1] - rows[0] + 1, nw = cols[1] - cols[0] + 1;
            return new ConvOp(
                            cropTaps(rows[0], nh, cols[0], nw),
                            bias,
                            nh,
                            nw,
                            stride,
                            padH - rows[0] * dilation,
                            padW - cols[0] * dilation,
                            0,
                            0,
                            act,
                            nh == 1 && nw == 1 ? 1 : dilation)
                    .lower(l, in, y);
        }
        Gemm.Config panel = Conv2d.panel(l.choices(), l.ctx(), y.c);
        int k = kh * kw * x.c;
        ClBuffer w = panel != null
                ? l.weight(weight, panel.layout(), () -> Gemm.layoutB(weight.data(), k, y.c, panel))
                : l.weight(weight);
        ConvShape shape = new ConvShape(x.n, x.h, x.w, x.c, y.c, kh, kw, stride, padH, padW, y.h, y.w);
        // the network's first conv reads the caller's NCHW floats where the panel kernel runs it
        ClBuffer nchw = panel != null && Conv2d.readsNchw(l.choices(), l.ctx(), kh, kw, x.c) ? l.nchwInput(x) : null;
        return List.of(Conv2d.create(
                l.ctx(),
                l.choices(),
                shape,
                dilation,
                nchw != null ? nchw : l.buf(x),
                nchw != null,
                w,
                l.weight(bias),
                l.buf(y),
                act,
                panel));
    }

    /**
     * The first and last kernel taps along an axis that some output pixel reads inside the input
     * (input {@code size}, output {@code out}, padding before {@code pad}); null when none does.
     */
    private int[] usedTaps(int size, int out, int k, int pad) {
        int first = -1, last = -1;
        for (int t = 0; t < k; t++) {
            boolean used = false;
            for (int o = 0; o < out && !used; o++) {
                int i = o * stride - pad + t * dilation;
                used = i >= 0 && i < size;
            }
            if (used) {
                if (first < 0) first = t;
                last = t;
            }
        }
        return first < 0 ? null : new int[] {first, last};
    }

    /** The weight's taps [row0, row0 + nh) x [col0, col0 + nw), in the same [KH, KW, Cin, Cout] layout. */
    private HostTensor cropTaps(int row0, int nh, int col0, int nw) {
        int ci = weight.dim(2), co = weight.dim(3), tap = ci * co;
        float[] src = weight.data(), dst = new float[nh * nw * tap];
        for (int r = 0; r < nh; r++)
            for (int c = 0; c < nw; c++)
                System.arraycopy(src, ((row0 + r) * kw + col0 + c) * tap, dst, (r * nw + c) * tap, tap);
        return new HostTensor(new int[] {nh, nw, ci, co}, dst);
    }

    public void onnx(OnnxNodes e, Site s) {
        String t = e.node(
                "Conv",
                List.of(
                        s.xi(),
                        e.init(s.prefix() + ".weight", Layouts.onnxConv(weight)),
                        bias == null ? "" : e.init(s.prefix() + ".bias", bias)),
                List.of(act != Act.NONE ? e.tmp() : s.out()),
                Attr.ints("kernel_shape", kh, kw),
                Attr.ints("strides", stride, stride),
                Attr.ints("dilations", dilation, dilation),
                Attr.ints("pads", Layouts.pads(s.x(), s.y(), spanH(), spanW(), stride, padH, padW)));
        e.activation(act, t, s.out());
    }

    public double[] reference(List<Value> in, List<double[]> vals, Value y) {
        Value x = in.get(0);
        return HostOps.conv(
                vals.get(0),
                x.n,
                x.h,
                x.w,
                x.c,
                y.h,
                y.w,
                y.c,
                weight.data(),
                data(bias),
                kh,
                kw,
                stride,
                padH,
                padW,
                0,
                act,
                dilation);
    }
}
