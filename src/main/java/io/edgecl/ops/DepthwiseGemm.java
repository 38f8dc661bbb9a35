package io.edgecl.ops;

import io.edgecl.cl.ClBuffer;
import io.edgecl.cl.ClContext;
import io.edgecl.cl.ClKernel;
import java.util.HashMap;
import java.util.Map;

/**
 * A depthwise conv and the 1x1 conv that reads it in one launch (dwgemm.cl): the depthwise
 * output of a few pixels stays in each work-item's private memory while the panel GEMM's
 * micro-kernel runs over it.
 */
public final class DepthwiseGemm {
    private DepthwiseGemm() {}

    /**
     * How a fused depthwise conv + 1x1 conv runs: one kernel with the depthwise tile in private
     * memory (CPU runtimes, where that is the L1 cache), or the two as launches of their own
     * through a scratch tensor (elsewhere: a GPU's private arrays live in slow memory).
     */
    public enum Form {
        FUSED,
        SPLIT
    }

    /**
     * The form for {@code pixels} output pixels: the forced or tuned one, else the device class's
     * default where there are tiles enough for every compute unit to take {@link #ITEMS_PER_UNIT}, else split. Few
     * tiles leave the units unevenly loaded: on a 7 x 7 map at batch 1 (7 tiles for two cores)
     * the fused kernel took longer than the two launches it replaces.
     */
    public static Form form(OpChoices choices, ClContext ctx, long pixels) {
        java.util.Optional<Form> forced = choices.get(KernelFamily.DW_GEMM);
        if (forced.isPresent()) return forced.get();
        int rows = rows(choices, ctx);
        long tiles = (pixels + rows - 1) / rows;
        return tiles >= (long) ITEMS_PER_UNIT * Math.max(1, ctx.info().computeUnits())
                ? KernelDefaults.get(ctx.info(), KernelFamily.DW_GEMM)
                : Form.SPLIT;
    }

    /** Channels the private tile holds per pixel (dwgemm.cl's DWG_KMAX). */
    public static final int MAX_CHANNELS = 512;

    /** Channels are taken in vectors of up to this many: a multiple of it fits every device's width. */
    static final int CHANNEL_MULTIPLE = 16;

    /**
     * Output pixels per tile: the panel GEMM's default rows, 8 of two 16-float vectors (its 16
     * accumulators) with {@link Gemm#wideTiles}, else 5 (two vectors of 8: 10). On AVX2, dw_gemm
     * took 0.86-0.9 of 4 rows' time on MobileNetV1 and MobileNetV4-Conv-S, and 3, 6 and 8 rows
     * more than 4 (`profile --by kernel`, rounds alternated).
     */
    static int rows(OpChoices choices, ClContext ctx) {
        return Gemm.wideTiles(choices, ctx) ? 8 : 5;
    }

    /** Work-items per compute unit (each takes a run of tiles): enough for the two ends of a launch to meet. */
    static final int ITEMS_PER_UNIT = 8;

    /**
     * Whether the fused kernel takes a {@code k}x{@code k} depthwise conv at {@code stride} over
     * {@code channels} channels (the 1x1 conv's K), and pays for it: 3x3 windows at stride 1.
     * Measured block by block against the two launches it replaces (`profile` with and without
     * `--no-fuse=dw-gemm`), 5x5 windows at stride 1 were behind on every map (EdgeViT's local
     * aggregation and MobileNetV4-Hybrid-M's bottlenecks at 14 x 14: 86-102 µs against 75-82; 25
     * taps per pixel read at the tiles' edges cost more than the tensor saved, as in rule
     * expand-dw), and stride 2 mostly behind (MobileNetV1's downsampling blocks at batch 8: 4-10%,
     * RepViT's). Past 512 channels the private tile (8 pixels) and the streamed weights no longer
     * share the L1 cache: with MobileNetV1's 1024-channel block fused, its forward at batch 8
     * took 1.04 of the time without the rule, and 1.00 without that block.
     */
    public static boolean supports(int k, int stride, int channels) {
        return k == 3 && stride == 1 && channels % CHANNEL_MULTIPLE == 0 && channels <= MAX_CHANNELS;
    }

    /**
     * The panel layout of the 1x1 conv's weights [K, n] the kernel reads ({@link Gemm#layoutB}):
     * the panel GEMM's width for {@code n} columns, so both read one copy.
     */
    public static Gemm.Config panels(OpChoices choices, ClContext ctx, int n) {
        int rows = rows(choices, ctx);
        return new Gemm.Config(
                Gemm.Variant.PANEL, rows, Gemm.cpuDefault(choices, ctx, rows, n).width());
    }

    /**
     * C = epilogue(actD(depthwise(X) + bd) · B) over {@code s} (multiplier 1, dilation 1, kh =
     * kw; s.cin() = s.cout() = K, {@link #supports} it) and a 1x1 conv to {@code n} channels:
     * {@code wd} [kh, kw, K] and {@code bd} [K] (zeros where the conv has none) as the depthwise
     * op keeps them, {@code bp} packed as {@link #panels}; the epilogue {@code bias} [n], {@code
     * act}, {@code gamma} [n] and {@code residual} [M, n] (each null where absent) as the panel
     * GEMM's.
     */
    public static Launch create(
            ClContext ctx,
            ConvShape s,
            ClBuffer x,
            ClBuffer wd,
            ClBuffer bd,
            Act actD,
            ClBuffer bp,
            int n,
            ClBuffer bias,
            Act act,
            ClBuffer gamma,
            ClBuffer residual,
            ClBuffer y,
            OpChoices choices) {
        int k = s.cin();
        if (s.kw() != s.kh() || s.cout() != k || !supports(s.kh(), s.stride(), k)) {
            throw new IllegalArgumentException("dw_gemm takes 3x3 windows at stride 1 over up to " + MAX_CHANNELS
                    + " channels, a multiple of " + CHANNEL_MULTIPLE + ", got " + s);
        }
        Gemm.Config cfg = panels(choices, ctx, n);
        int m = s.n() * s.ho() * s.wo();
        long flops = 2L * m * k * (s.kh() * s.kw() + n);
        Map<String, String> d = new HashMap<>(Gemm.panelDefines(ctx, cfg));
        // the epilogue as the panel GEMM takes it: built in, or below its line an argument
        if (Gemm.epilogueAtRunTime(choices, flops)) {
            d.put("PANEL_EPI_RUNTIME", "1");
        } else {
            // dwgemm.cl defaults to the argument form (its programs are mostly small)
            d.put("PANEL_EPI_RUNTIME", "0");
            d.putAll(Gemm.epilogueDefines(act, bias != null, gamma != null, residual != null));
        }
        d.put("DWG_VW", String.valueOf(Gemm.panelVector(ctx, CHANNEL_MULTIPLE)));
        d.put("DWG_KMAX", String.valueOf(MAX_CHANNELS));
        ClKernel kern = ctx.kernel(d, "dw_gemm_3x3s1", "dwgemm.cl");
        int rows = cfg.rows();
        long tiles = (m + rows - 1) / rows;
        long items =
                Math.min(tiles, (long) ITEMS_PER_UNIT * Math.max(1, ctx.info().computeUnits()));
        int perItem = (int) ((tiles + items - 1) / items);
        items = (tiles + perItem - 1) / perItem;
        ClBuffer ph = ctx.placeholder();
        kern.arg(x)
                .arg(wd)
                .arg(bd)
                .arg(actD.code())
                .arg(bp)
                .arg(bias != null ? bias : ph)
                .arg(gamma != null ? gamma : ph)
                .arg(residual != null ? residual : ph)
                .arg(y)
                .arg(s.h())
                .arg(s.w())
                .arg(k)
                .arg(n)
                .arg(s.ho())
                .arg(s.wo())
                .arg(s.padH())
                .arg(s.padW())
                .arg(m)
                .arg(perItem)
                .arg(Gemm.panelEpilogue(act, bias != null, gamma != null, residual != null));
        long bytes = (long) ctx.precision().elementBytes()
                * ((long) s.n() * s.h() * s.w() * k
                        + (long) k * s.kh() * s.kw()
                        + (long) k * n
                        + (long) m * n * (residual != null ? 2 : 1));
        // one work-item per work-group on a CPU runtime: PoCL keeps a group's private arrays side
        // by side on its worker's stack (a 16 KB tile per work-item)
        return new Launch(
                kern, new long[] {items}, ctx.info().isCpu() ? new long[] {1} : null, "dw_gemm", flops, bytes);
    }
}
