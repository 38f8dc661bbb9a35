package io.edgecl.ops;

import io.edgecl.cl.ClBuffer;
import io.edgecl.cl.ClContext;
import io.edgecl.cl.ClKernel;
import java.util.Map;

/** Dense convolution over NHWC (kernels-cl/conv2d.cl); weights laid out [KH, KW, Cin, Cout]. */
public final class Conv2d {
    private Conv2d() {}

    public static int outSize(int in, int k, int stride, int pad) {
        return (in + 2 * pad - k) / stride + 1;
    }

    public static Launch create(ClContext ctx, ClBuffer in, ClBuffer w, ClBuffer bias, ClBuffer out, int n, int h,
                                int wd, int cin, int cout, int kh, int kw, int stride, int padH, int padW, Act act) {
        return create(ctx, in, w, bias, out, n, h, wd, cin, cout, kh, kw, stride, padH, padW, act,
                outSize(h, kh, stride, padH), outSize(wd, kw, stride, padW));
    }

    /**
     * With an explicit output size: padH/padW pad the top/left, and the bottom/right padding is
     * whatever the output size implies (TensorFlow "same" padding is asymmetric).
     */
    public static Launch create(ClContext ctx, ClBuffer in, ClBuffer w, ClBuffer bias, ClBuffer out, int n, int h,
                                int wd, int cin, int cout, int kh, int kw, int stride, int padH, int padW, Act act,
                                int ho, int wo) {
        return create(ctx, in, w, bias, out, n, h, wd, cin, cout, kh, kw, stride, padH, padW, act, ho, wo, null);
    }

    /**
     * The implicit-GEMM layout for this device, or null for the direct kernels: on CPU runtimes a
     * convolution runs on the GEMM's panel micro-kernel, with the weights [KH·KW·Cin, Cout]
     * packed by {@link Gemm#layoutB}.
     */
    public static Gemm.Config panel(ClContext ctx, int cout) {
        String forced = Variants.get(VARIANT_PROPERTY);
        if (forced.equals("direct")) return null;
        if (!forced.isEmpty()) return Gemm.Config.parse(forced);
        return ctx.info().type().equals("CPU") ? cpuDefault(cout) : null;
    }

    /**
     * 4 output pixels x 32 channels per work-item (two vectors of 16), narrower panels for 16 or
     * fewer channels. A conv row costs more bookkeeping than a GEMM row (its pixel, its window's
     * bounds), so fewer rows than the GEMM's 12 do better: measured on the networks' convs
     * (stems, downsampling, MobileViT's 3x3) against 12x16, 8x16 and 6x32, in whole forwards.
     */
    static Gemm.Config cpuDefault(int cout) {
        if (cout <= 8) return new Gemm.Config(Gemm.Variant.PANEL, 8, 8);
        if (cout <= 16) return new Gemm.Config(Gemm.Variant.PANEL, 8, 16);
        return new Gemm.Config(Gemm.Variant.PANEL, 4, 32);
    }

    /** Forces the kernel: -Dedgecl.conv=direct|panel:RxW (default: panel on CPUs, direct elsewhere). */
    public static final String VARIANT_PROPERTY = "edgecl.conv";

    /** With {@code panel} from {@link #panel} (weights packed for it), or null for the direct kernels. */
    public static Launch create(ClContext ctx, ClBuffer in, ClBuffer w, ClBuffer bias, ClBuffer out, int n, int h,
                                int wd, int cin, int cout, int kh, int kw, int stride, int padH, int padW, Act act,
                                int ho, int wo, Gemm.Config panel) {
        if (panel != null && !panel.packed()) throw new IllegalArgumentException("not a panel layout: " + panel);
        // the panel kernel takes its epilogue as an argument (one program per tile shape)
        boolean runtimeEpilogue = panel != null
                && Gemm.epilogueAtRunTime(2L * n * ho * wo * cout * kh * kw * cin);
        Map<String, String> d = new java.util.HashMap<>(runtimeEpilogue ? Map.of("PANEL_EPI_RUNTIME", "1")
                : Map.of("HAS_BIAS", bias != null ? "1" : "0", "ACT", act.macro()));
        if (panel != null) d.putAll(Gemm.panelDefines(ctx, panel));
        // every window inside the image (no padding: patchify stems, downsampling convs): the
        // kernel is built with its interior path alone, a third of the code to compile
        if (panel != null && padH == 0 && padW == 0 && (ho - 1) * stride + kh <= h && (wo - 1) * stride + kw <= wd) {
            d.put("CONV_INTERIOR", "1");
        }
        ClKernel k = ctx.kernel(d, panel != null ? "conv2d_panel" : cout % 4 == 0 ? "conv2d_c4w4" : "conv2d",
                "conv2d.cl");
        k.arg(in).arg(w).arg(bias != null ? bias : ctx.placeholder()).arg(out)
                .arg(h).arg(wd).arg(cin).arg(cout).arg(ho).arg(wo)
                .arg(kh).arg(kw).arg(stride).arg(padH).arg(padW).arg(n * ho);
        if (panel != null) k.arg(Gemm.panelEpilogue(act, bias != null, false, false));
        long outs = (long) n * ho * wo * cout;
        long[] local = null;
        long[] global = panel != null
                ? new long[] {(cout + panel.width() - 1) / panel.width(), ((long) n * ho * wo + panel.rows() - 1) / panel.rows()}
                : cout % 4 == 0 ? new long[] {cout / 4, (wo + 3) / 4, (long) n * ho}
                : new long[] {cout, wo, (long) n * ho};
        if (panel != null) {
            CpuGrid g = CpuGrid.orDriver(ctx.info(), global[0], global[1]);
            global = g.global();
            local = g.local();
        }
        return new Launch(k, global, local, "conv2d", 2L * outs * kh * kw * cin,
                (long) ctx.precision().elementBytes() * ((long) n * h * wd * cin + (long) kh * kw * cin * cout + outs));
    }
}
