package io.edgecl.ops;

import io.edgecl.cl.ClBuffer;
import io.edgecl.cl.ClContext;
import io.edgecl.cl.ClKernel;
import java.util.Map;

/**
 * The 1x1 expansion and the depthwise conv of an inverted-residual block in one launch
 * (invres.cl): the expanded tensor stays in each work-item's private memory.
 */
public final class ExpandDepthwise {
    private ExpandDepthwise() {}

    /** Output columns per work-item (invres.cl's XDW_TW): 16 at stride 1, 8 at stride 2. */
    static int tileWidth(int stride) {
        return stride == 1 ? 16 : 8;
    }

    /** Whether the kernel takes a depthwise conv of {@code k}x{@code k}, stride {@code stride}. */
    public static boolean supports(int k, int stride) {
        return (k == 3 || k == 5) && (stride == 1 || stride == 2);
    }

    /**
     * The expansion work the fused kernel does for an input {@code w} pixels wide, over what the
     * plain GEMM does: each work-item expands the (TW - 1) * stride + k pixels under its TW
     * output columns, and the last one runs past the edge.
     */
    public static double recompute(int w, int wo, int k, int stride) {
        int tw = tileWidth(stride), cols = (wo + tw - 1) / tw;
        return (double) cols * ((tw - 1) * stride + k) / w;
    }

    /**
     * Whether fusing pays: measured on this project's CPU device against the GEMM and depthwise
     * launches it replaces, on the blocks of MobileNetV3 and EfficientNet, the fused kernel was
     * ahead or even up to about 1.45x the expansion's work (56 x 56 maps at 1.29, 14 x 14 at 1.29
     * and 1.36) and behind beyond it (a 5 x 5 window on a 7 x 7 map: 2.9x, 1.3x the time).
     */
    public static boolean pays(int w, int wo, int k, int stride) {
        return recompute(w, wo, k, stride) <= MAX_RECOMPUTE;
    }

    static final double MAX_RECOMPUTE = 1.45;

    /** The channel vector width of the kernel on this device (also the panel width of its expansion weights). */
    public static int vectorWidth(ClContext ctx) {
        return Gemm.panelVector(ctx, 16);
    }

    /** {@code c} rounded up to whole vectors of {@code vw}. */
    public static int padded(int c, int vw) {
        return (c + vw - 1) / vw * vw;
    }

    /** The expansion weights [Cin, Cexp] in the kernel's layout: panels of {@code vw} columns. */
    public static float[] layoutExpand(float[] w, int cin, int cexp, int vw) {
        return Gemm.layoutB(w, cin, cexp, new Gemm.Config(Gemm.Variant.PANEL, 1, vw));
    }

    /** [rows, c] with each row zero-padded to {@code padded(c, vw)} columns (null: zeros, one row). */
    public static float[] padRows(float[] a, int rows, int c, int vw) {
        int cp = padded(c, vw);
        float[] out = new float[rows * cp];
        if (a != null) for (int r = 0; r < rows; r++) System.arraycopy(a, r * c, out, r * cp, c);
        return out;
    }

    /**
     * Y = actD(depthwise(actE(X · We + be)) + bd) over {@code s} (s.cin() the expansion's input
     * channels, s.cout() the expanded ones, kh = kw, multiplier 1, dilation 1); weights and
     * biases in the layouts of {@link #layoutExpand} and {@link #padRows}.
     */
    public static Launch create(
            ClContext ctx,
            ConvShape s,
            ClBuffer x,
            ClBuffer we,
            ClBuffer be,
            Act actE,
            ClBuffer wd,
            ClBuffer bd,
            Act actD,
            ClBuffer y) {
        int k = s.kh(), stride = s.stride();
        if (s.kw() != k || !supports(k, stride)) {
            throw new IllegalArgumentException("expand_dw takes 3x3 and 5x5 windows at stride 1 or 2, got " + s);
        }
        int vw = vectorWidth(ctx);
        int n = s.n(), cin = s.cin(), cexp = s.cout(), cpad = padded(cexp, vw), ho = s.ho(), wo = s.wo();
        int tw = tileWidth(stride);
        int panels = cpad / vw, cols = (wo + tw - 1) / tw;
        // rows per work-item: enough items for every compute unit to take several, and no
        // fewer rows than the window's height, past which the recomputed rows (k - stride per
        // item) stop being a small share
        long want = (ctx.info().isCpu() ? 16L : 256L) * Math.max(1, ctx.info().computeUnits());
        long base = (long) panels * cols * n;
        int chunks = (int) Math.max(1, Math.min(ho, (want + base - 1) / base));
        int rows = Math.max(Math.min(ho, k), (ho + chunks - 1) / chunks);
        chunks = (ho + rows - 1) / rows;
        ClKernel kern = ctx.kernel(
                Map.of("XDW_VW", String.valueOf(vw)), "expand_dw_" + k + "x" + k + "s" + stride, "invres.cl");
        kern.arg(x)
                .arg(we)
                .arg(be)
                .arg(wd)
                .arg(bd)
                .arg(y)
                .arg(n)
                .arg(s.h())
                .arg(s.w())
                .arg(cin)
                .arg(cexp)
                .arg(cpad)
                .arg(ho)
                .arg(wo)
                .arg(s.padH())
                .arg(s.padW())
                .arg(rows)
                .arg(chunks)
                .arg(actE.code())
                .arg(actD.code());
        long outs = (long) n * ho * wo * cexp;
        long flops = 2L * n * s.h() * s.w() * cin * cexp + 2L * outs * k * k;
        long bytes = (long) ctx.precision().elementBytes()
                * ((long) n * s.h() * s.w() * cin + (long) cin * cpad + (long) k * k * cpad + outs);
        CpuGrid g = CpuGrid.orDriver(ctx.info(), panels, cols, (long) n * chunks);
        return new Launch(kern, g.global(), g.local(), "expand_dw", flops, bytes);
    }
}
