package io.edgecl.ops;

import io.edgecl.cl.ClBuffer;
import io.edgecl.cl.ClContext;
import io.edgecl.cl.ClKernel;
import java.util.Map;

/**
 * Depthwise convolution over NHWC (kernels-cl/dwconv.cl): weights [KH, KW, Cout], channel
 * multiplier, optional addend summed into the input, channel-sliced input/addend/output.
 */
public final class DepthwiseConv {
    private DepthwiseConv() {}

    /** Where a tensor sits inside a wider NHWC buffer: channel stride and channel offset. */
    public record Slice(ClBuffer buffer, int channelStride, int channelOffset) {
        public static Slice whole(ClBuffer b, int channels) {
            return new Slice(b, channels, 0);
        }
    }

    /**
     * {@code out} = act(depthwise conv of {@code in} (+ {@code addend}) + bias) over {@code s}, its
     * channel multiplier {@code s.cout() / s.cin()}; {@code addend} and {@code bias} may be null.
     */
    public static Launch create(
            ClContext ctx,
            OpChoices choices,
            ConvShape s,
            Slice in,
            Slice addend,
            ClBuffer w,
            ClBuffer bias,
            Slice out,
            Act act) {
        return create(ctx, choices, s, 1, in, addend, w, bias, out, act, null);
    }

    /**
     * Float partial sums per image and channel that {@link #create} writes with a parts buffer:
     * one per work-item of dwconv_vec (a row's {@link #VEC_WB} columns), or 0 where the vector
     * kernel does not run this conv (it writes none then).
     */
    public static int poolParts(ClContext ctx, OpChoices choices, ConvShape s) {
        if (s.multiplier() != 1 || vectorWidth(choices, ctx, s.cout()) == 0) return 0;
        return s.ho() * ((s.wo() + VEC_WB - 1) / VEC_WB);
    }

    /**
     * As above with the taps {@code dilation} pixels apart; with {@code parts} (else null; the
     * vector kernel only, {@link #poolParts} > 0, {@code out} whole and no addend) the launch also
     * writes, per image, {@link #poolParts} float partial sums of each output channel, [n, parts,
     * cout], for a squeeze-excite pool ({@link SqueezeExcite#fromParts}).
     */
    public static Launch create(
            ClContext ctx,
            OpChoices choices,
            ConvShape s,
            int dilation,
            Slice in,
            Slice addend,
            ClBuffer w,
            ClBuffer bias,
            Slice out,
            Act act,
            ClBuffer parts) {
        int nparts = parts != null ? poolParts(ctx, choices, s) : 0;
        if (parts != null
                && (nparts == 0 || addend != null || out.channelOffset() != 0 || out.channelStride() != s.cout())) {
            throw new IllegalArgumentException("pool partial sums need the vector kernel, a whole output, no addend");
        }
        if (dilation < 1) throw new IllegalArgumentException("dilation " + dilation);
        int n = s.n(), h = s.h(), wd = s.w(), cout = s.cout(), kh = s.kh(), kw = s.kw(), stride = s.stride();
        int padH = s.padH(), padW = s.padW(), mult = s.multiplier(), ho = s.ho(), wo = s.wo();
        int vw = mult == 1 ? vectorWidth(choices, ctx, cout) : 0;
        Map<String, String> d = new java.util.HashMap<>(
                Map.of("HAS_BIAS", bias != null ? "1" : "0", "HAS_ADD", addend != null ? "1" : "0"));
        // only a dilated conv names DW_DIL, so the programs of the others keep their cache keys
        if (dilation > 1) d.put("DW_DIL", String.valueOf(dilation));
        // the vector kernel takes its activation as an argument (one program for every activation)
        if (vw == 0) d.put("ACT", act.macro());
        if (vw > 0) {
            d.put("DW_VW", String.valueOf(vw));
            d.put("DW_WB", String.valueOf(VEC_WB));
            // the build-time geometry path has no dilation; a dilated conv takes the general one
            if (dilation == 1) d.putAll(fastPath(kh, kw, stride));
        }
        String kernel = vw > 0 ? "dwconv_vec" : mult == 1 && cout % 4 == 0 ? "dwconv_c4" : "dwconv";
        ClKernel k = ctx.kernel(d, kernel, "dwconv.cl");
        Slice add = addend != null ? addend : new Slice(ctx.placeholder(), 0, 0);
        k.arg(in.buffer())
                .arg(add.buffer())
                .arg(w)
                .arg(bias != null ? bias : ctx.placeholder())
                .arg(out.buffer())
                .arg(h)
                .arg(wd)
                .arg(cout)
                .arg(ho)
                .arg(wo)
                .arg(kh)
                .arg(kw)
                .arg(stride)
                .arg(padH)
                .arg(padW)
                .arg(mult)
                .arg(n * ho)
                .arg(in.channelStride())
                .arg(in.channelOffset())
                .arg(add.channelStride())
                .arg(add.channelOffset())
                .arg(out.channelStride())
                .arg(out.channelOffset());
        if (vw > 0) {
            k.arg(act.code()).arg(parts != null ? parts : ctx.placeholder()).arg(nparts);
        }
        long outs = (long) n * ho * wo * cout;
        long ins = (long) n * h * wd * (cout / mult) * (addend != null ? 2 : 1);
        CpuGrid g = vw > 0
                ? CpuGrid.orDriver(ctx.info(), cout / vw, (wo + VEC_WB - 1) / VEC_WB, (long) n * ho)
                : CpuGrid.orDriver(ctx.info(), mult == 1 && cout % 4 == 0 ? cout / 4 : cout, wo, (long) n * ho);
        return new Launch(
                k,
                g.global(),
                g.local(),
                "dwconv",
                2L * outs * kh * kw,
                (long) ctx.precision().elementBytes() * (ins + (long) kh * kw * cout + outs));
    }

    /**
     * The plain depthwise kernels: {@code VEC} (dwconv_vec, channels in explicit vectors of 16, 8
     * or 4 where they divide, else the scalar kernels) or {@code C4} (dwconv_c4 / dwconv).
     */
    public enum Form {
        VEC,
        C4
    }

    /**
     * The fused depthwise conv + LayerNorm kernels: {@code VEC} (one work-item per 4 pixels,
     * channels in explicit vectors; {@code PIXEL} where they do not divide), {@code PIXEL} (one
     * work-item per pixel, no barriers) or {@code GROUP} (one work-group per pixel).
     */
    public enum LnForm {
        VEC,
        PIXEL,
        GROUP
    }

    /** Output columns per work-item of dwconv_vec (DW_WB). */
    static final int VEC_WB = 4;

    /**
     * The channel vector width of dwconv_vec for {@code cout} channels (DW_VW: 16, 8 or 4, at
     * most the device's preferred float width, dividing cout), or 0 for the scalar/float4 kernels.
     */
    static int vectorWidth(OpChoices choices, ClContext ctx, int cout) {
        Form f = choices.resolve(KernelFamily.DWCONV, ctx.info());
        return f == Form.VEC ? vectorWidthFor(ctx, cout) : 0;
    }

    /** Work-group of the fused depthwise conv + LayerNorm kernel (DWLN_WG in dwconv.cl). */
    static WorkGroup lnWorkGroup(ClContext ctx) {
        return WorkGroup.of("DWLN_WG", 64, ctx.info());
    }

    /**
     * Depthwise conv over {@code s} followed by LayerNorm over channels, in the form {@code choices}
     * select ({@link LnForm}).
     */
    public static Launch createWithLayerNorm(
            ClContext ctx,
            OpChoices choices,
            ConvShape s,
            ClBuffer in,
            ClBuffer w,
            ClBuffer bias,
            ClBuffer gamma,
            ClBuffer beta,
            float eps,
            ClBuffer out) {
        int n = s.n(), h = s.h(), wd = s.w(), cout = s.cout(), kh = s.kh(), kw = s.kw();
        int mult = s.multiplier(), ho = s.ho(), wo = s.wo();
        LnForm form = choices.resolve(KernelFamily.DWCONV_LN, ctx.info());
        int vw = mult == 1 ? vectorWidthFor(ctx, cout) : 0;
        if (form == LnForm.VEC && vw > 0) {
            return createLnVec(ctx, s, in, w, bias, gamma, beta, eps, out, vw);
        }
        // VEC where the channels do not divide runs per pixel: the same work split, in scalars
        boolean perPixel = form != LnForm.GROUP;
        WorkGroup wg = lnWorkGroup(ctx);
        ClKernel k = ctx.kernel(
                Map.of("HAS_BIAS", bias != null ? "1" : "0", wg.macro(), String.valueOf(wg.size())),
                perPixel ? "dwconv_ln_px" : "dwconv_ln",
                "dwconv.cl");
        bindLn(k, ctx, s, in, w, bias, gamma, beta, eps, out);
        long pixels = (long) n * ho * wo;
        if (perPixel) {
            // CPU runtimes emulate barriers; one work-item per pixel needs none
            k.arg((int) pixels);
            long outs = pixels * cout;
            return new Launch(
                    k,
                    new long[] {pixels},
                    null,
                    "dwconv_ln",
                    2L * outs * kh * kw + 8L * outs,
                    (long) ctx.precision().elementBytes()
                            * ((long) n * h * wd * (cout / mult) + (long) kh * kw * cout + outs));
        }
        k.local(4L * cout).local(4L * wg.size());
        long outs = (long) n * ho * wo * cout;
        return new Launch(
                k,
                new long[] {wg.size(), (long) n * ho * wo},
                new long[] {wg.size(), 1},
                "dwconv_ln",
                2L * outs * kh * kw + 8L * outs,
                (long) ctx.precision().elementBytes()
                        * ((long) n * h * wd * (cout / mult) + (long) kh * kw * cout + outs));
    }

    /** The arguments every depthwise conv + LayerNorm kernel takes first, in dwconv.cl's order. */
    private static ClKernel bindLn(
            ClKernel k,
            ClContext ctx,
            ConvShape s,
            ClBuffer in,
            ClBuffer w,
            ClBuffer bias,
            ClBuffer gamma,
            ClBuffer beta,
            float eps,
            ClBuffer out) {
        return k.arg(in)
                .arg(w)
                .arg(bias != null ? bias : ctx.placeholder())
                .arg(gamma)
                .arg(beta)
                .arg(out)
                .arg(s.h())
                .arg(s.w())
                .arg(s.cout())
                .arg(s.ho())
                .arg(s.wo())
                .arg(s.kh())
                .arg(s.kw())
                .arg(s.stride())
                .arg(s.padH())
                .arg(s.padW())
                .arg(s.multiplier())
                .arg(eps);
    }

    /**
     * The channel vector width (DW_VW) of dwconv_vec and dwconv_ln_vec: the widest of 16, 8 and 4
     * within the device's preferred float width that divides cout, or 0.
     */
    static int vectorWidthFor(ClContext ctx, int cout) {
        int pref = Math.max(4, ctx.info().preferredFloatWidth());
        for (int vw = 16; vw >= 4; vw /= 2) if (vw <= pref && cout % vw == 0) return vw;
        return 0;
    }

    /**
     * The build-time kernel geometry of the vector kernels' bounds-free interior path (DW_KH,
     * DW_KW, DW_S): kernels up to 7 x 7, strides 1 and 2; other shapes take the general path only.
     */
    static Map<String, String> fastPath(int kh, int kw, int stride) {
        if (kh > 7 || kw > 7 || stride > 2) return Map.of();
        return Map.of("DW_KH", String.valueOf(kh), "DW_KW", String.valueOf(kw), "DW_S", String.valueOf(stride));
    }

    private static Launch createLnVec(
            ClContext ctx,
            ConvShape s,
            ClBuffer in,
            ClBuffer w,
            ClBuffer bias,
            ClBuffer gamma,
            ClBuffer beta,
            float eps,
            ClBuffer out,
            int vw) {
        int n = s.n(), h = s.h(), wd = s.w(), cout = s.cout(), kh = s.kh(), kw = s.kw(), ho = s.ho(), wo = s.wo();
        Map<String, String> d = new java.util.HashMap<>(Map.of(
                "HAS_BIAS", bias != null ? "1" : "0", "DW_VW", String.valueOf(vw), "DW_WB", String.valueOf(VEC_WB)));
        d.putAll(fastPath(kh, kw, s.stride()));
        ClKernel k = ctx.kernel(d, "dwconv_ln_vec", "dwconv.cl");
        bindLn(k, ctx, s, in, w, bias, gamma, beta, eps, out).arg(n * ho);
        long outs = (long) n * ho * wo * cout;
        CpuGrid g = CpuGrid.orDriver(ctx.info(), (wo + VEC_WB - 1) / VEC_WB, (long) n * ho);
        return new Launch(
                k,
                g.global(),
                g.local(),
                "dwconv_ln",
                2L * outs * kh * kw + 8L * outs,
                (long) ctx.precision().elementBytes() * ((long) n * h * wd * cout + (long) kh * kw * cout + 3 * outs));
    }

    /** Depthwise transposed conv with kernel = stride = s; weight [s, s, C]; output [n, h*s, w*s, C]. */
    public static Launch transpose(
            ClContext ctx,
            OpChoices choices,
            ClBuffer in,
            ClBuffer w,
            ClBuffer bias,
            ClBuffer out,
            int n,
            int h,
            int wd,
            int c,
            int s) {
        long outs = (long) n * h * s * wd * s * c;
        long bytes = (long) ctx.precision().elementBytes() * ((long) n * h * wd * c + (long) s * s * c + outs);
        int vw = vectorWidth(choices, ctx, c);
        if (vw > 0) {
            ClKernel k = ctx.kernel(
                    Map.of("HAS_BIAS", bias != null ? "1" : "0", "DW_VW", String.valueOf(vw)),
                    "dwconv_transpose_vec",
                    "dwconv.cl");
            k.arg(in)
                    .arg(w)
                    .arg(bias != null ? bias : ctx.placeholder())
                    .arg(out)
                    .arg(h)
                    .arg(wd)
                    .arg(c)
                    .arg(s)
                    .arg(n * h);
            CpuGrid g = CpuGrid.orDriver(ctx.info(), c / vw, wd, (long) n * h);
            return new Launch(k, g.global(), g.local(), "dwconv_transpose", 2L * outs, bytes);
        }
        ClKernel k = ctx.kernel(Map.of("HAS_BIAS", bias != null ? "1" : "0"), "dwconv_transpose", "dwconv.cl");
        k.arg(in)
                .arg(w)
                .arg(bias != null ? bias : ctx.placeholder())
                .arg(out)
                .arg(h)
                .arg(wd)
                .arg(c)
                .arg(s)
                .arg(n * h * s);
        return new Launch(
                k, new long[] {c, (long) wd * s, (long) n * h * s}, null, "dwconv_transpose", 2L * outs, bytes);
    }
}
