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

    /**
     * How a fused expansion + depthwise conv runs: one kernel with the expanded rows in private
     * memory (CPU runtimes, where that is the L1 cache), or the GEMM and the depthwise conv as
     * two launches through a scratch tensor (elsewhere: a GPU's private arrays live in slow
     * memory).
     */
    public enum Form {
        FUSED,
        SPLIT
    }

    /** The forced or tuned form, else the device class's default. */
    public static Form form(OpChoices choices, ClContext ctx) {
        return choices.resolve(KernelFamily.EXPAND_DW, ctx.info());
    }

    /** Expanded pixels a ring row holds (invres.cl's XDW_MAXROW): 112-wide maps fit one strip. */
    static final int MAX_ROW = 136;

    /** Output columns per strip: the whole width when its expanded row fits {@link #MAX_ROW}. */
    static int stripColumns(int wo, int k, int stride) {
        int max = (MAX_ROW - k) / stride + 1;
        int strips = (wo + max - 1) / max;
        return (wo + strips - 1) / strips;
    }

    /** Whether the kernel takes a depthwise conv of {@code k}x{@code k}, stride {@code stride}. */
    public static boolean supports(int k, int stride) {
        return (k == 3 || k == 5) && (stride == 1 || stride == 2);
    }

    /**
     * Whether the fused kernel pays for a k x k window at {@code stride} with a {@code ho} x
     * {@code wo} output: measured on this project's CPU device against the two launches it
     * replaces, block by block on MobileNetV3 and EfficientNet (`profile --by block` with
     * `--kernel expand-dw=fused` and `split`), it was ahead for 3x3 windows and 5x5 ones at stride
     * 2 on outputs from 112 x 112 down to 14 x 14 (blocks at 56 x 56: 0.5-0.7 of the time), even
     * or behind on 7 x 7 outputs (a few large-K expansions whose tensor stays in the cache between
     * the two launches) and for 5x5 windows at stride 1, whose 25 taps read from the ring cost what
     * the saved tensor does.
     */
    public static boolean pays(int k, int stride, int ho, int wo) {
        return !(k == 5 && stride == 1) && (long) ho * wo >= 14 * 14;
    }

    /** The channel vector width of the kernel on this device. */
    static int vectorWidth(ClContext ctx) {
        return Gemm.panelVector(ctx, 16);
    }

    /**
     * Channel vectors per work-item (invres.cl's XDW_NB). With one, the expansion's loop had 8
     * accumulators (exactly FMA latency x issue width on a two-pipe CPU core) and a broadcast per
     * FMA; with two, MobileNetV4-Conv-S's fused kernels took 0.8 of the time, MobileNetV3's 0.91,
     * EfficientNet-B0's 0.98 (`profile --by launch`, 3 alternating rounds). The kernel runs by
     * default on CPU runtimes only; elsewhere where forced or tuned, with the same layout.
     */
    static final int VECTORS = 2;

    /**
     * Pixels per register block of the expansion and of the depthwise conv (XDW_PB, XDW_OB): 8,
     * 16 accumulators of two vectors each, with {@link Gemm#wideTiles}; else 4. On AVX2 (16
     * registers) 4 and 4 took 0.80-0.87 of 8 and 8's expand_dw time on MobileNetV3-Large and
     * EfficientNet-B0 (`profile --by kernel`, two rounds); 4 and 8, 4 and 2, 3 and 4, 6 and 4, and
     * one vector of 8 pixels did no better.
     */
    static int pixelBlock(OpChoices choices, ClContext ctx) {
        return Gemm.wideTiles(choices, ctx) ? 8 : 4;
    }

    /** Channels per work-item: the panel width of the expansion weights and the padding of every per-channel row. */
    public static int channelWidth(ClContext ctx) {
        return vectorWidth(ctx) * VECTORS;
    }

    /** The expansion weights [Cin, Cexp] in the kernel's layout: panels of {@code vw} columns. */
    public static float[] layoutExpand(float[] w, int cin, int cexp, int vw) {
        return Gemm.layoutB(w, cin, cexp, new Gemm.Config(Gemm.Variant.PANEL, 1, vw));
    }

    /** [rows, c] with each row zero-padded to c rounded up to whole vectors of vw (null: zeros, one row). */
    public static float[] padRows(float[] a, int rows, int c, int vw) {
        int cp = (int) Launch.roundUp(c, vw);
        float[] out = new float[rows * cp];
        if (a != null) for (int r = 0; r < rows; r++) System.arraycopy(a, r * c, out, r * cp, c);
        return out;
    }

    /**
     * How a launch cuts its output: {@code panels} of channels, {@code strips} of {@code cols}
     * columns, {@code chunks} of {@code rows} rows per image.
     */
    record Geometry(int panels, int cols, int strips, int rows, int chunks) {
        /** Work-items per image and channel panel: the partial sums each image has per channel. */
        int parts() {
            return strips * chunks;
        }
    }

    static Geometry geometry(ClContext ctx, ConvShape s) {
        int k = s.kh(), stride = s.stride(), ho = s.ho(), wo = s.wo();
        int cw = vectorWidth(ctx) * VECTORS;
        int panels = (int) Launch.roundUp(s.cout(), cw) / cw;
        int cols = stripColumns(wo, k, stride), strips = (wo + cols - 1) / cols;
        // row chunks: enough items for every compute unit to take several; each chunk past the
        // first recomputes k - stride input rows, so no chunk is shorter than 2k rows
        long want = (ctx.info().isCpu() ? 8L : 256L) * Math.max(1, ctx.info().computeUnits());
        long base = (long) panels * strips * s.n();
        int most = Math.max(1, ho / (2 * k));
        int chunks = (int) Math.max(1, Math.min(most, (want + base - 1) / base));
        int rows = (ho + chunks - 1) / chunks;
        chunks = (ho + rows - 1) / rows;
        return new Geometry(panels, cols, strips, rows, chunks);
    }

    /** Float partial sums per image and channel that {@link #create} writes with a parts buffer. */
    public static int poolParts(ClContext ctx, ConvShape s) {
        return geometry(ctx, s).parts();
    }

    /**
     * Y = actD(depthwise(actE(X · We + be)) + bd) over {@code s} (s.cin() the expansion's input
     * channels, s.cout() the expanded ones, kh = kw, multiplier 1, dilation 1); weights and
     * biases in the layouts of {@link #layoutExpand} and {@link #padRows}. With {@code parts}
     * (else null) the launch also writes, per image, {@link #poolParts} float partial sums of
     * each channel of Y, [n, parts, cexp], for a squeeze-excite pool ({@link
     * SqueezeExcite#fromParts}). {@code choices} gives the register tiles ({@link Gemm#wideTiles}).
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
            ClBuffer y,
            ClBuffer parts,
            OpChoices choices) {
        int k = s.kh(), stride = s.stride();
        if (s.kw() != k || !supports(k, stride)) {
            throw new IllegalArgumentException("expand_dw takes 3x3 and 5x5 windows at stride 1 or 2, got " + s);
        }
        int vw = vectorWidth(ctx), cw = vw * VECTORS;
        int n = s.n(), cin = s.cin(), cexp = s.cout(), cpad = (int) Launch.roundUp(cexp, cw), ho = s.ho(), wo = s.wo();
        Geometry geo = geometry(ctx, s);
        int cols = geo.cols(), strips = geo.strips(), panels = geo.panels(), rows = geo.rows(), chunks = geo.chunks();
        ClKernel kern = ctx.kernel(
                Map.of(
                        "XDW_VW",
                        String.valueOf(vw),
                        "XDW_NB",
                        String.valueOf(VECTORS),
                        "XDW_MAXROW",
                        String.valueOf(MAX_ROW),
                        "XDW_PB",
                        String.valueOf(pixelBlock(choices, ctx)),
                        "XDW_OB",
                        String.valueOf(pixelBlock(choices, ctx))),
                "expand_dw_" + k + "x" + k + "s" + stride,
                "invres.cl");
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
                .arg(cols)
                .arg(rows)
                .arg(chunks)
                .arg(actE.code())
                .arg(actD.code())
                .arg(parts != null ? parts : ctx.placeholder())
                .arg(parts != null ? geo.parts() : 0);
        long outs = (long) n * ho * wo * cexp;
        long flops = 2L * n * s.h() * s.w() * cin * cexp + 2L * outs * k * k;
        long bytes = (long) ctx.precision().elementBytes()
                        * ((long) n * s.h() * s.w() * cin + (long) cin * cpad + (long) k * k * cpad + outs)
                + (parts != null ? 4L * n * geo.parts() * cexp : 0);
        // one work-item per work-group on a CPU runtime: PoCL keeps a work-group's private arrays
        // side by side on its worker thread's stack (a 110 KB ring per work-item), so groups of
        // hundreds at large batches would overflow it; the items are few and long enough that the
        // per-group cost does not show (measured within noise against groups of 4-8)
        long[] global = {panels, strips, (long) n * chunks};
        return new Launch(kern, global, ctx.info().isCpu() ? new long[] {1, 1, 1} : null, "expand_dw", flops, bytes);
    }
}
