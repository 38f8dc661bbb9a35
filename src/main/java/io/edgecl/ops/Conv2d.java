package io.edgecl.ops;

import io.edgecl.cl.ClBuffer;
import io.edgecl.cl.ClContext;
import io.edgecl.cl.ClKernel;
import java.util.Map;

/** Dense convolution over NHWC (kernels-cl/conv2d.cl); weights laid out [KH, KW, Cin, Cout]. */
public final class Conv2d {
    private Conv2d() {}

    /**
     * How a network's first conv takes the input: straight from the NCHW floats the caller gave
     * (the panel kernel; one launch and one pass over the image fewer), or after the plan's
     * layout launch has written them as NHWC storage.
     */
    public enum Input {
        NCHW,
        NHWC
    }

    /**
     * Whether a panel conv of a {@code kh}x{@code kw} window over {@code cin} channels, reading the
     * network's input, takes it as NCHW floats: the forced choice, else the device class's
     * default, for windows of up to {@link #NCHW_MAX_TAPS}. The direct kernels read NHWC only.
     */
    public static boolean readsNchw(OpChoices choices, ClContext ctx, int kh, int kw, int cin) {
        return kh * kw * cin <= NCHW_MAX_TAPS && choices.resolve(KernelFamily.CONV_INPUT, ctx.info()) == Input.NCHW;
    }

    /**
     * The largest window (KH·KW·Cin) read from an NCHW input: the kernel unrolls it whole (147
     * steps for a 7x7 RGB stem); an input of more channels is laid out first.
     */
    static final int NCHW_MAX_TAPS = 160;

    /** Output size along one axis of a conv (or pooling window) padded by {@code pad} on both sides. */
    public static int outSize(int in, int k, int stride, int pad) {
        return outSize(in, k, stride, pad, pad);
    }

    /**
     * Output size along one axis with {@code padBefore} before the first input and {@code padAfter}
     * after the last (TensorFlow "same" padding is asymmetric): PyTorch's floor, so a window that
     * does not fit gives 0 or less rather than 1.
     */
    public static int outSize(int in, int k, int stride, int padBefore, int padAfter) {
        return Math.floorDiv(in + padBefore + padAfter - k, stride) + 1;
    }

    /**
     * The kernel choice of a convolution: the direct kernels, or the implicit GEMM on the GEMM's
     * panel micro-kernel with the weights [KH·KW·Cin, Cout] packed by {@link Gemm#layoutB}.
     */
    public record Choice(Gemm.Config panel) {
        public static final Choice DIRECT = new Choice(null);
        /** panel:auto, panels sized by the output channels ({@link #cpuDefault}). */
        public static final Choice PANEL_BY_SHAPE = new Choice(Gemm.Config.PANEL_BY_SHAPE);

        static final java.util.List<Choice> CANDIDATES = java.util.List.of(
                DIRECT,
                new Choice(new Gemm.Config(Gemm.Variant.PANEL, 12, 16)),
                new Choice(new Gemm.Config(Gemm.Variant.PANEL, 4, 32)));

        public Choice {
            if (panel != null && !panel.packed()) throw new IllegalArgumentException("not a panel layout: " + panel);
        }

        /** direct, panel[:RxW] or panel:auto. */
        public static Choice parse(String s) {
            if (s.trim().equalsIgnoreCase("direct")) return DIRECT;
            Gemm.Config c = Gemm.Config.parse(s);
            if (!c.packed()) throw new IllegalArgumentException(s);
            return new Choice(c);
        }

        public boolean direct() {
            return panel == null;
        }

        @Override
        public String toString() {
            return panel == null ? "direct" : panel.toString();
        }
    }

    /**
     * The panel layout this convolution runs in, or null for the direct kernels: the forced or
     * tuned choice, else the device class's default ({@link KernelDefaults}).
     */
    public static Gemm.Config panel(OpChoices choices, ClContext ctx, int cout) {
        Choice c = choices.resolve(KernelFamily.CONV, ctx.info());
        if (c.equals(Choice.PANEL_BY_SHAPE)) return cpuDefault(choices, ctx, cout);
        return c.panel();
    }

    /**
     * 4 output pixels x 32 channels per work-item (two vectors of 16), narrower panels for 16 or
     * fewer channels. A conv row costs more bookkeeping than a GEMM row (its pixel, its window's
     * bounds), so fewer rows than the GEMM's 12 do better: measured on the networks' convs
     * (stems, downsampling, MobileViT's 3x3) against 12x16, 8x16 and 6x32, in whole forwards.
     * Without {@link Gemm#wideTiles} (AVX2's 16 registers), 4 x 16: against 4x32, 6x16, 5x16,
     * 3x16 and 2x32 on MobileNetV4-Conv-S and MobileViT-XXS, 0.64-0.82 of 4x32's conv time.
     */
    static Gemm.Config cpuDefault(OpChoices choices, ClContext ctx, int cout) {
        if (!Gemm.wideTiles(choices, ctx) && cout > 8) return new Gemm.Config(Gemm.Variant.PANEL, 4, 16);
        if (cout <= 8) return new Gemm.Config(Gemm.Variant.PANEL, 8, 8);
        if (cout <= 16) return new Gemm.Config(Gemm.Variant.PANEL, 8, 16);
        return new Gemm.Config(Gemm.Variant.PANEL, 4, 32);
    }

    /** With {@code panel} from {@link #panel} (weights packed for it), or null for the direct kernels. */
    public static Launch create(
            ClContext ctx,
            OpChoices choices,
            ConvShape s,
            ClBuffer in,
            ClBuffer w,
            ClBuffer bias,
            ClBuffer out,
            Act act,
            Gemm.Config panel) {
        return create(ctx, choices, s, 1, in, false, w, bias, out, act, panel);
    }

    /**
     * As above with the taps {@code dilation} pixels apart, and with {@code nchw} the input as
     * the network's NCHW floats (panel kernel only; see {@link Input}).
     */
    public static Launch create(
            ClContext ctx,
            OpChoices choices,
            ConvShape s,
            int dilation,
            ClBuffer in,
            boolean nchw,
            ClBuffer w,
            ClBuffer bias,
            ClBuffer out,
            Act act,
            Gemm.Config panel) {
        if (dilation < 1) throw new IllegalArgumentException("dilation " + dilation);
        if (panel != null && !panel.packed()) throw new IllegalArgumentException("not a panel layout: " + panel);
        if (nchw && panel == null) throw new IllegalArgumentException("only the panel kernel reads an NCHW input");
        int n = s.n(), h = s.h(), wd = s.w(), cin = s.cin(), cout = s.cout(), kh = s.kh(), kw = s.kw();
        int stride = s.stride(), padH = s.padH(), padW = s.padW(), ho = s.ho(), wo = s.wo();
        // the panel kernel takes its epilogue as an argument (one program per tile shape)
        boolean runtimeEpilogue =
                panel != null && Gemm.epilogueAtRunTime(choices, 2L * n * ho * wo * cout * kh * kw * cin);
        Map<String, String> d = new java.util.HashMap<>(
                runtimeEpilogue
                        ? Map.of("PANEL_EPI_RUNTIME", "1")
                        : Map.of("HAS_BIAS", bias != null ? "1" : "0", "ACT", act.macro()));
        if (panel != null) d.putAll(Gemm.panelDefines(ctx, panel));
        // every window inside the image (no padding: patchify stems, downsampling convs): the
        // kernel is built without its tap-by-tap border path, half the code to compile
        if (nchw) {
            d.put("CONV_NCHW", String.valueOf(cin));
            d.put("CONV_KH", String.valueOf(kh));
            d.put("CONV_KW", String.valueOf(kw));
        }
        if (panel != null
                && !nchw
                && dilation == 1
                && padH == 0
                && padW == 0
                && (ho - 1) * stride + kh <= h
                && (wo - 1) * stride + kw <= wd) {
            d.put("CONV_INTERIOR", "1");
        }
        // only a dilated conv names CONV_DIL, so the programs of the others keep their cache keys
        if (dilation > 1) d.put("CONV_DIL", String.valueOf(dilation));
        ClKernel k =
                ctx.kernel(d, panel != null ? "conv2d_panel" : cout % 4 == 0 ? "conv2d_c4w4" : "conv2d", "conv2d.cl");
        k.arg(in)
                .arg(w)
                .arg(bias != null ? bias : ctx.placeholder())
                .arg(out)
                .arg(h)
                .arg(wd)
                .arg(cin)
                .arg(cout)
                .arg(ho)
                .arg(wo)
                .arg(kh)
                .arg(kw)
                .arg(stride)
                .arg(padH)
                .arg(padW)
                .arg(n * ho);
        if (panel != null) k.arg(Gemm.panelEpilogue(act, bias != null, false, false));
        long outs = (long) n * ho * wo * cout;
        long[] local = null;
        long[] global = panel != null
                ? new long[] {
                    (cout + panel.width() - 1) / panel.width(), ((long) n * ho * wo + panel.rows() - 1) / panel.rows()
                }
                : cout % 4 == 0
                        ? new long[] {cout / 4, (wo + 3) / 4, (long) n * ho}
                        : new long[] {cout, wo, (long) n * ho};
        long flops = 2L * outs * kh * kw * cin;
        if (panel != null) {
            CpuGrid g = CpuGrid.orDriverWithGroups(ctx.info(), groupsPerUnit(flops), global[0], global[1]);
            global = g.global();
            local = g.local();
        }
        return new Launch(
                k,
                global,
                local,
                "conv2d",
                flops,
                (nchw ? 4L : ctx.precision().elementBytes()) * n * h * wd * cin
                        + (long) ctx.precision().elementBytes() * ((long) kh * kw * cin * cout + outs));
    }

    /**
     * Work-groups per compute unit of a panel convolution: 16 from 16 MFLOP (the stems and
     * strided 3x3 convolutions of the CNNs, 150-450 µs on two cores), else the usual 4. PoCL hands
     * the first worker half of a launch's groups at once and the second, woken later, what is
     * left; finer groups let the two end together. MobileNetV4-Conv-S's stem and 3x3 stride-2
     * convs: 0.88-0.91 of the time with 32 groups instead of 8, each launch alone (one process,
     * alternated); 0.97 of the three launches' time in whole forwards (`profile`, 4 rounds).
     */
    static int groupsPerUnit(long flops) {
        return flops >= 16_000_000L ? 16 : CpuGrid.GROUPS_PER_UNIT;
    }
}
