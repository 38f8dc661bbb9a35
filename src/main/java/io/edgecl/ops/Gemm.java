package io.edgecl.ops;

import io.edgecl.cl.ClBuffer;
import io.edgecl.cl.ClContext;
import io.edgecl.cl.ClKernel;
import io.edgecl.cl.DeviceInfo;
import java.util.HashMap;
import java.util.Map;

/**
 * C[M, N] = epilogue(A[M, K] · B[K, N]): 1x1 convolutions and Linear layers over NHWC rows,
 * with bias, activation, layer scale and residual fused into the store (kernels-cl/gemm.cl).
 */
public final class Gemm {
    /**
     * The tiled variant's tile: TM × TN of C per work-group from TK-deep slices in local memory,
     * WM × WN per work-item. Defined here once: passed as GEMM_* defines, and the work-group
     * (TN / WN, TM / WM) follows from it.
     */
    public record Tile(int tm, int tn, int tk, int wm, int wn) {
        static final Tile DEFAULT = new Tile(32, 32, 16, 4, 4);
        /** For devices whose work-groups hold fewer than the default's 64 items. */
        static final Tile SMALL = new Tile(16, 16, 16, 4, 4);

        static Tile forDevice(io.edgecl.cl.DeviceInfo d) {
            return d.maxWorkGroupSize() >= DEFAULT.items() && d.localMemBytes() >= DEFAULT.localBytes()
                    ? DEFAULT
                    : SMALL;
        }

        /** Local memory of the A and B tiles (gemm.cl: As[TK][TM], Bs[TK][TN + 1] floats). */
        long localBytes() {
            return 4L * tk * (tm + tn + 1);
        }

        int items() {
            return (tn / wn) * (tm / wm);
        }

        Map<String, String> defines() {
            return Map.of(
                    "GEMM_TM",
                    String.valueOf(tm),
                    "GEMM_TN",
                    String.valueOf(tn),
                    "GEMM_TK",
                    String.valueOf(tk),
                    "GEMM_WM",
                    String.valueOf(wm),
                    "GEMM_WN",
                    String.valueOf(wn));
        }
    }

    /** Rows per work-item of the register-only rows variant (GEMMV_RM). */
    static final int ROWS_RM = 4;

    /** The kernel variants of gemm.cl. */
    public enum Variant {
        /** Local-memory tiles, for GPUs. */
        TILED("gemm"),
        /** One column × 4 rows per work-item, registers only. */
        ROWS("gemm_rows"),
        /** R rows × 4 columns per work-item with vector loads, registers only (CPU runtimes). */
        BLOCK("gemm_block"),
        /** R rows × 8 columns per work-item (wide SIMD units). */
        BLOCK8("gemm_block8"),
        /**
         * R rows × W columns per work-item in the device's widest float vectors, B packed into
         * zero-padded panels of W columns at load time ({@link #layoutB}); the CPU default.
         */
        PANEL("gemm_panel");

        final String kernel;

        Variant(String kernel) {
            this.kernel = kernel;
        }
    }

    /**
     * A variant with its rows per work-item (block and panel variants) and, for the panel
     * variant, its panel width W in columns.
     */
    public record Config(Variant variant, int rows, int width) {
        /** panel:auto, the panel kernel with rows and width chosen per GEMM shape ({@link #cpuDefault}). */
        public static final Config PANEL_BY_SHAPE = new Config(Variant.PANEL, 0, 0);

        public Config(Variant variant, int rows) {
            this(variant, rows, 0);
        }

        /** What selftest tells apart: the kernel and, for panels, their width (rows change speed only). */
        String kernelKey() {
            return variant == Variant.PANEL ? "panel:" + width : variant.name();
        }

        /** tiled, rows, block[:R], block8[:R], panel[:RxW] (W 4, 8, 16 or 32) or panel:auto. */
        public static Config parse(String s) {
            String[] p = s.trim().toLowerCase(java.util.Locale.ROOT).split(":");
            if (p.length == 2 && p[0].equals("panel") && p[1].equals("auto")) return PANEL_BY_SHAPE;
            try {
                Variant v = Variant.valueOf(p[0].toUpperCase(java.util.Locale.ROOT));
                if (p.length > 2) throw new IllegalArgumentException();
                if (v == Variant.PANEL) {
                    String[] rw = p.length > 1 ? p[1].split("x") : new String[] {"8", "16"};
                    int r = Integer.parseInt(rw[0]), w = rw.length > 1 ? Integer.parseInt(rw[1]) : 16;
                    if (rw.length > 2 || r < 1 || r > 16 || (w != 4 && w != 8 && w != 16 && w != 32)) {
                        throw new IllegalArgumentException();
                    }
                    return new Config(v, r, w);
                }
                int r = p.length > 1
                        ? Integer.parseInt(p[1])
                        : (v == Variant.BLOCK || v == Variant.BLOCK8 ? 8 : ROWS_RM);
                if (r < 1 || r > 32) throw new IllegalArgumentException();
                return new Config(v, r);
            } catch (RuntimeException e) {
                throw new io.edgecl.EdgeClException("GEMM variant '" + s
                        + "': use tiled, rows, block[:R], block8[:R] (R 1..32), panel[:RxW] (R 1..16, W 4, 8, 16 or 32)"
                        + " or panel:auto");
            }
        }

        /**
         * The name of the weight layout this config reads: the panel width alone, so plans of one
         * session that differ only in rows per work-item (batch 1 and 8, say) share one copy.
         */
        public String layout() {
            return packed() ? "panels" + width : "rows";
        }

        /** Whether B must be in the packed panel layout ({@link #layoutB}). */
        public boolean packed() {
            return variant == Variant.PANEL;
        }

        @Override
        public String toString() {
            String n = variant.name().toLowerCase(java.util.Locale.ROOT);
            if (this.equals(PANEL_BY_SHAPE)) return "panel:auto";
            if (variant == Variant.PANEL) return n + ":" + rows + "x" + width;
            if (variant == Variant.BLOCK || variant == Variant.BLOCK8) return n + ":" + rows;
            return n;
        }
    }

    /**
     * B[K, N] (row-major) in the layout {@code cfg} reads: as is, or packed into panels of W
     * columns, zero-padded past N ({@code Bp[(p·K + k)·W + j] = B[k, p·W + j]}).
     */
    public static float[] layoutB(float[] b, int k, int n, Config cfg) {
        if (!cfg.packed()) return b;
        int w = cfg.width();
        int panels = (n + w - 1) / w;
        float[] out = new float[panels * k * w];
        for (int p = 0; p < panels; p++) {
            for (int kk = 0; kk < k; kk++) {
                int cols = Math.min(w, n - p * w);
                System.arraycopy(b, kk * n + p * w, out, (p * k + kk) * w, cols);
            }
        }
        return out;
    }

    /** B above this many bytes, A at most {@link #ROWS_INNER_MAX_A}: the panel GEMM walks each panel down the rows. */
    static final long ROWS_INNER_MIN_B = 512 * 1024;

    static final long ROWS_INNER_MAX_A = 256 * 1024;

    /**
     * Whether the panel GEMM's work-groups walk down the rows with one B panel (the global size
     * (row tiles, panels)) instead of across the panels with one tile of A rows. A CPU runtime
     * runs a work-group as a loop over its items, first dimension innermost: across the panels,
     * every tile of rows reads all of B, which past a core's L2 (512 KB on a Zen 3) comes from L3
     * again for each tile; down the rows, a panel (K x W floats) stays near the core and A, small
     * enough for L2, is what is read again. The small-M GEMMs of the last stages (7 x 7 at batch 1,
     * B of 0.5-5 MB) took 0.85-0.89 of the time; at large M and a small B the other order
     * is the faster (single GEMMs timed alone by their events, Zen 3, 3 alternating rounds).
     */
    static boolean rowsInner(ClContext ctx, int m, int n, int k) {
        return ctx.info().isCpu() && 4L * k * n > ROWS_INNER_MIN_B && 4L * m * k <= ROWS_INNER_MAX_A;
    }

    /** The -D options of panel.h.cl for {@code cfg} on this device. */
    static Map<String, String> panelDefines(ClContext ctx, Config cfg) {
        int vw = panelVector(ctx, cfg.width());
        return Map.of(
                "PANEL_RM",
                String.valueOf(cfg.rows()),
                "PANEL_VW",
                String.valueOf(vw),
                "PANEL_NB",
                String.valueOf(cfg.width() / vw));
    }

    /**
     * Below this many FLOPs a panel kernel (GEMM or convolution) takes its epilogue as an argument
     * (panel.h.cl, PANEL_EPI_RUNTIME): one program for every epilogue of that tile shape instead of
     * one per epilogue. The runtime form costs up to a fifth of a GELU GEMM's time (ConvNeXt-Atto's
     * MLPs, 3136 x 160 x 40: 196 → 231 µs), which at 2 MFLOP is a few microseconds; it saves a
     * program build and a kernel compile (0.3-0.8 s each on PoCL) per epilogue.
     * {@link KernelChoices#withRuntimeEpilogueFlops} (-Dedgecl.panel.runtime-epilogue-flops=N)
     * moves the line (0: never, a large N: always).
     */
    static boolean epilogueAtRunTime(OpChoices choices, long flops) {
        return flops < choices.runtimeEpilogueFlops();
    }

    /**
     * The build defines of an epilogue fixed at build time (panel.h.cl, gemm.cl): what the GEMM
     * kernels and dw_gemm store through.
     */
    static Map<String, String> epilogueDefines(Act act, boolean bias, boolean gamma, boolean residual) {
        return Map.of(
                "HAS_BIAS",
                bias ? "1" : "0",
                "ACT",
                act.macro(),
                "HAS_GAMMA",
                gamma ? "1" : "0",
                "HAS_RESIDUAL",
                residual ? "1" : "0");
    }

    /** The epilogue argument of the panel kernels (panel.h.cl's PANEL_EPI_*): activation code and flags. */
    static int panelEpilogue(Act act, boolean bias, boolean gamma, boolean residual) {
        return act.code() | (bias ? 16 : 0) | (gamma ? 32 : 0) | (residual ? 64 : 0);
    }

    /** The vector width of the panel variant on this device for a panel of {@code width} columns. */
    static int panelVector(ClContext ctx, int width) {
        int pref = Integer.highestOneBit(Math.max(4, ctx.info().preferredFloatWidth()));
        return Math.min(width, pref);
    }

    /** What `edgecl tune` measures for each shape. */
    static final java.util.List<Config> CANDIDATES = java.util.List.of(
            new Config(Variant.TILED, 4),
            new Config(Variant.ROWS, 4),
            new Config(Variant.BLOCK, 8),
            new Config(Variant.BLOCK8, 8),
            new Config(Variant.PANEL, 8, 8),
            new Config(Variant.PANEL, 8, 16),
            new Config(Variant.PANEL, 12, 16),
            new Config(Variant.PANEL, 16, 16),
            new Config(Variant.PANEL, 4, 32),
            new Config(Variant.PANEL, 6, 32),
            new Config(Variant.PANEL, 8, 32));

    private Gemm() {}

    /**
     * The forced or tuned choice ({@link OpChoices#gemm}), else the device class's default
     * ({@link KernelDefaults}): tiles in local memory on GPUs; on CPU runtimes, which emulate
     * barriers so that local-memory tiles cost more than they save, register panels sized by
     * shape.
     */
    public static Config config(OpChoices choices, ClContext ctx, int m, int n, int k) {
        Config c = choices.gemm(m, n, k).orElseGet(() -> KernelDefaults.get(ctx.info(), KernelFamily.GEMM));
        return c.equals(Config.PANEL_BY_SHAPE) ? cpuDefault(choices, ctx, m, n) : c;
    }

    /** The register tiles of the CPU kernels ({@code --kernel tiles=...}; see {@link #wideTiles}). */
    public enum Tiles {
        /** wide where the device's preferred float vector holds 16 floats, else narrow */
        AUTO,
        WIDE,
        NARROW
    }

    /**
     * Whether the device's register tiles are the wide ones: 16-float vectors (PoCL on AVX-512,
     * 32 registers of 16 floats) hold twice the accumulators of the narrower ones (AVX2's 16
     * registers of 8 floats; SSE, NEON). The panel GEMM, the panel conv, dw_gemm and expand_dw
     * size their tiles by it: tiles sized for 32 registers, run on AVX2 (PoCL's haswell target
     * on a Zen 3), kept their accumulators in registers only in part and took 1.3-2x the time of
     * tiles half as large (`profile --by kernel` with `--kernel gemm=panel:RxW`, four networks).
     * Forced or tuned as the kernel family {@code tiles}; by default ({@code auto}) by the
     * device's preferred float vector width.
     */
    public static boolean wideTiles(OpChoices choices, ClContext ctx) {
        Tiles t = choices.resolve(KernelFamily.TILES, ctx.info());
        return t == Tiles.AUTO ? wideVectors(ctx.info()) : t == Tiles.WIDE;
    }

    /** Whether the device's preferred float vector holds 16 floats: what tiles=auto makes wide. */
    public static boolean wideVectors(DeviceInfo info) {
        return info.preferredFloatWidth() >= 16;
    }

    /**
     * Panels 32 columns wide (two vectors of 16 on AVX-512; 16 or 8 for narrower outputs) and 8
     * rows per work-item, M itself below 8: the pooled GEMVs of a classifier head or a
     * squeeze-excite block at batch 1 run faster with 1 row than with 8 of which 7 repeat the
     * last. 8×32 replaced 12×16 (8×16 below 96 rows) after whole-forward A/B runs of nine
     * networks (tools/bench-ab.sh, 3 alternating rounds): 4-16% less device time on MobileNetV3,
     * MobileNetV4, EdgeNeXt, EdgeViT, ConvNeXt and RepViT, EfficientNet and MobileViT within the
     * noise; the small-M GEMMs of 7×7 stages gained most (MobileNetV4's 49-row expansions went from
     * 40% to 55-63% of peak). The tuner refines it per shape. The width depends on N only, so
     * the plans of one session (batch 1 and 8, say) share one copy of the weights. Devices without
     * {@link #wideTiles} get tiles half the size.
     */
    static Config cpuDefault(OpChoices choices, ClContext ctx, int m, int n) {
        if (!wideTiles(choices, ctx)) {
            // 5 rows x 16 columns: 10 accumulators of 8 floats, two B vectors and a broadcast in
            // AVX2's 16 registers. 4x16 took 0.53-0.75 of 8x32's GEMM time on MobileNetV3/V4,
            // EfficientNet-B0 and ConvNeXt (`profile --by kernel`; 8x16, 8x8, 6x16, 6x8, 4x8,
            // 3x16 and 2x16 no better), and 5x16 then 0.88-0.97 of 4x16's whole forward on
            // ConvNeXt, RepViT, EdgeViT, EfficientNet, EdgeNeXt and MobileNetV4-Conv-S (`bench
            // --ab`, 50-60 pairs), the same on MobileNetV3, MobileViT and MobileNetV4-Hybrid-M
            return new Config(Variant.PANEL, Math.max(1, Math.min(5, m)), n <= 8 ? 8 : 16);
        }
        int rows = Math.max(1, Math.min(8, m));
        if (n <= 8) return new Config(Variant.PANEL, rows, 8);
        return new Config(Variant.PANEL, rows, n <= 16 ? 16 : 32);
    }

    /**
     * One GEMM's operands and epilogue: C[M, N] = epilogue(A[M, K] · B[K, N]) with row strides
     * {@code lda} and {@code ldc}; start from {@link #of} and add what the op fuses.
     *
     * @param bias     [N] or null
     * @param gamma    [N] layer scale or null
     * @param residual [M, ldc] added after the scale, or null; may be the same buffer as C
     * @param gate     a squeeze-excite gate: A[m, k] is read as A[m, k] · gate[m / gateRows, k]
     *                 ({@code gate} [images, K], {@code gateRows} = rows per image), or null
     */
    public record Call(
            ClBuffer a,
            ClBuffer b,
            ClBuffer c,
            int m,
            int n,
            int k,
            int lda,
            int ldc,
            ClBuffer bias,
            Act act,
            ClBuffer gamma,
            ClBuffer residual,
            ClBuffer gate,
            int gateRows) {
        /** Dense A and C, no epilogue. */
        public static Call of(ClBuffer a, ClBuffer b, ClBuffer c, int m, int n, int k) {
            return new Call(a, b, c, m, n, k, k, n, null, Act.NONE, null, null, null, 1);
        }

        public Call strides(int lda, int ldc) {
            return new Call(a, b, c, m, n, k, lda, ldc, bias, act, gamma, residual, gate, gateRows);
        }

        public Call bias(ClBuffer bias) {
            return new Call(a, b, c, m, n, k, lda, ldc, bias, act, gamma, residual, gate, gateRows);
        }

        public Call act(Act act) {
            return new Call(a, b, c, m, n, k, lda, ldc, bias, act, gamma, residual, gate, gateRows);
        }

        public Call gamma(ClBuffer gamma) {
            return new Call(a, b, c, m, n, k, lda, ldc, bias, act, gamma, residual, gate, gateRows);
        }

        public Call residual(ClBuffer residual) {
            return new Call(a, b, c, m, n, k, lda, ldc, bias, act, gamma, residual, gate, gateRows);
        }

        public Call gate(ClBuffer gate, int gateRows) {
            return new Call(a, b, c, m, n, k, lda, ldc, bias, act, gamma, residual, gate, gateRows);
        }
    }

    /**
     * {@code g} with the kernel {@code cfg} (see {@link #config}); B must be in {@code cfg}'s
     * layout ({@link #layoutB}).
     */
    public static Launch create(ClContext ctx, OpChoices choices, Call call, Config cfg) {
        return create(ctx, choices, call, cfg, rowsInner(ctx, call.m(), call.n(), call.k()));
    }

    /** {@link #create} with the panel variant's work-item order given ({@link #rowsInner}). */
    static Launch create(ClContext ctx, OpChoices choices, Call call, Config cfg, boolean rowsInner) {
        ClBuffer a = call.a(), b = call.b(), c = call.c(), bias = call.bias(), gamma = call.gamma();
        ClBuffer residual = call.residual();
        ClBuffer gate = call.gate();
        int m = call.m(), n = call.n(), k = call.k(), lda = call.lda(), ldc = call.ldc(), gateRows = call.gateRows();
        Act act = call.act();
        Map<String, String> d = new HashMap<>();
        Tile tile = Tile.forDevice(ctx.info());
        boolean runtimeEpilogue = cfg.packed() && epilogueAtRunTime(choices, 2L * m * n * k);
        if (cfg.packed()) d.putAll(panelDefines(ctx, cfg));
        if (runtimeEpilogue) {
            // a small GEMM: the program every epilogue shares (panel.h.cl, PANEL_EPI_RUNTIME)
            d.put("PANEL_EPI_RUNTIME", "1");
        } else {
            d.put("HAS_GATE", gate != null ? "1" : "0");
            if (cfg.variant() == Variant.BLOCK || cfg.variant() == Variant.BLOCK8) {
                d.put("GEMMB_RM", String.valueOf(cfg.rows()));
            }
            if (cfg.variant() == Variant.TILED) d.putAll(tile.defines());
            if (cfg.variant() == Variant.ROWS) d.put("GEMMV_RM", String.valueOf(ROWS_RM));
            d.putAll(epilogueDefines(act, bias != null, gamma != null, residual != null));
        }
        Variant v = cfg.variant();
        ClKernel kern = ctx.kernel(d, v.kernel, "gemm.cl");
        ClBuffer ph = ctx.placeholder();
        kern.arg(a)
                .arg(b)
                .arg(bias != null ? bias : ph)
                .arg(gamma != null ? gamma : ph)
                .arg(residual != null ? residual : ph)
                .arg(c)
                .arg(m)
                .arg(n)
                .arg(k)
                .arg(lda)
                .arg(ldc)
                .arg(gate != null ? gate : ph);
        if (cfg.packed()) {
            kern.arg(gate != null ? Math.max(1, gateRows) : 0)
                    .arg(panelEpilogue(act, bias != null, gamma != null, residual != null))
                    .arg(rowsInner ? 1 : 0);
        } else {
            kern.arg(Math.max(1, gateRows));
        }
        long[] local;
        long[] global;
        switch (v) {
            case ROWS:
                local = null;
                global = new long[] {n, (m + ROWS_RM - 1) / ROWS_RM};
                break;
            case BLOCK:
                local = null;
                global = new long[] {(n + 3) / 4, (m + cfg.rows() - 1) / cfg.rows()};
                break;
            case BLOCK8:
                local = null;
                global = new long[] {(n + 7) / 8, (m + cfg.rows() - 1) / cfg.rows()};
                break;
            case PANEL: {
                long panels = (n + cfg.width() - 1) / cfg.width(), tiles = (m + cfg.rows() - 1) / (long) cfg.rows();
                CpuGrid g = rowsInner
                        ? CpuGrid.orDriver(ctx.info(), tiles, panels)
                        : CpuGrid.orDriver(ctx.info(), panels, tiles);
                local = g.local();
                global = g.global();
                break;
            }
            default:
                local = new long[] {tile.tn() / tile.wn(), tile.tm() / tile.wm()};
                global =
                        new long[] {Launch.roundUp(n, tile.tn()) / tile.wn(), Launch.roundUp(m, tile.tm()) / tile.wm()};
        }
        long flops = 2L * m * n * k;
        long bytes = (long) ctx.precision().elementBytes()
                * ((long) m * k + (long) k * n + (long) m * n * (residual != null ? 2 : 1));
        return new Launch(kern, global, local, "gemm", flops, bytes);
    }
}
