package io.edgecl.ops;

import io.edgecl.cl.ClBuffer;
import io.edgecl.cl.ClContext;
import io.edgecl.cl.ClKernel;
import java.util.List;
import java.util.Map;

/** Element-wise kernels (kernels-cl/elementwise.cl) and global average pooling (pool.cl). */
public final class Elementwise {
    private static final long WG = 64;

    private Elementwise() {}

    /** out[i] = x[i] + y[i % period]. */
    public static Launch addBroadcast(ClContext ctx, ClBuffer x, ClBuffer y, ClBuffer out, int n, int period) {
        ClKernel k = ctx.kernel(Map.of(), "add_broadcast", "elementwise.cl");
        k.arg(x).arg(y).arg(out).arg(n).arg(period);
        return new Launch(
                k,
                new long[] {Launch.roundUp(n, WG)},
                new long[] {WG},
                "add",
                n,
                3L * ctx.precision().elementBytes() * n);
    }

    /** out = act(x). */
    public static Launch activation(ClContext ctx, ClBuffer x, ClBuffer out, int n, Act act) {
        ClKernel k = ctx.kernel(Map.of("ACT", act.macro()), "activation", "elementwise.cl");
        k.arg(x).arg(out).arg(n);
        return new Launch(
                k,
                new long[] {Launch.roundUp(n, WG)},
                new long[] {WG},
                "activation",
                8L * n,
                2L * ctx.precision().elementBytes() * n);
    }

    /** out = x * scale[c] (+ residual). */
    public static Launch scaleAdd(
            ClContext ctx, ClBuffer x, ClBuffer scale, ClBuffer residual, ClBuffer out, int n, int channels) {
        ClKernel k = ctx.kernel(Map.of(), "channel_scale_add", "elementwise.cl");
        k.arg(x)
                .arg(scale)
                .arg(residual != null ? residual : ctx.placeholder())
                .arg(out)
                .arg(n)
                .arg(channels)
                .arg(residual != null ? 1 : 0);
        return new Launch(
                k,
                new long[] {Launch.roundUp(n, WG)},
                new long[] {WG},
                "scale_add",
                2L * n,
                (long) ctx.precision().elementBytes() * n * (residual != null ? 3 : 2));
    }

    /** NHWC storage [n, hw, c] into NCHW floats [n, c, hw] (a dense output, for the host to read as it is). */
    public static Launch toNchw(ClContext ctx, ClBuffer nhwc, ClBuffer out, int n, int channels, int hw) {
        ClKernel k = ctx.kernel(Map.of(), "to_nchw", "elementwise.cl");
        k.arg(nhwc).arg(out).arg(channels).arg(hw).arg(n);
        long numel = (long) n * channels * hw;
        CpuGrid g = CpuGrid.orDriver(ctx.info(), (hw + 15) / 16, n);
        return new Launch(
                k, g.global(), g.local(), "output", 0, (4L + ctx.precision().elementBytes()) * numel);
    }

    /** NCHW float images [n, c, hw] into NHWC storage [n, hw, c] (the network input). */
    public static Launch toNhwc(ClContext ctx, ClBuffer nchw, ClBuffer out, int n, int channels, int hw) {
        ClKernel k = ctx.kernel(Map.of(), "to_nhwc", "elementwise.cl");
        k.arg(nchw).arg(out).arg(channels).arg(hw).arg(n);
        long numel = (long) n * channels * hw;
        CpuGrid g = CpuGrid.orDriver(ctx.info(), (hw + 15) / 16, n);
        return new Launch(
                k, g.global(), g.local(), "input", 0, (4L + ctx.precision().elementBytes()) * numel);
    }

    /** Levels one {@link #anchorConcat} launch joins. */
    public static final int CONCAT_LEVELS = 6;

    /**
     * Joins up to {@link #CONCAT_LEVELS} inputs per image in one launch: each input holds
     * {@code lengths[l]} values per image, placed one after another from {@code base} in
     * images of {@code total} values of {@code out}.
     */
    public static Launch anchorConcat(
            ClContext ctx, List<ClBuffer> inputs, int[] lengths, ClBuffer out, int total, int base, int n) {
        if (inputs.isEmpty() || inputs.size() > CONCAT_LEVELS || inputs.size() != lengths.length) {
            throw new IllegalArgumentException("1 to " + CONCAT_LEVELS + " inputs with their lengths");
        }
        ClKernel k = ctx.kernel(Map.of(), "anchor_concat", "elementwise.cl");
        for (int l = 0; l < CONCAT_LEVELS; l++) k.arg(l < inputs.size() ? inputs.get(l) : ctx.placeholder());
        k.arg(out);
        int end = 0;
        for (int l = 0; l < CONCAT_LEVELS; l++) {
            if (l < lengths.length) end += lengths[l];
            k.arg(end);
        }
        k.arg(total).arg(base).arg(n);
        CpuGrid g = CpuGrid.orDriver(ctx.info(), (end + 15) / 16, n);
        return new Launch(
                k, g.global(), g.local(), "copy", 0, 2L * ctx.precision().elementBytes() * end * (long) n);
    }

    /** Copies a channel slice of each row into a channel slice of another tensor. */
    public static Launch channelCopy(
            ClContext ctx,
            ClBuffer in,
            ClBuffer out,
            int channels,
            int rows,
            int inStride,
            int inOffset,
            int outStride,
            int outOffset) {
        ClKernel k = ctx.kernel(Map.of(), "channel_copy", "elementwise.cl");
        k.arg(in)
                .arg(out)
                .arg(channels)
                .arg(rows)
                .arg(inStride)
                .arg(inOffset)
                .arg(outStride)
                .arg(outOffset);
        return new Launch(
                k,
                new long[] {channels, rows},
                null,
                "copy",
                0,
                2L * ctx.precision().elementBytes() * channels * rows);
    }

    /** Pixels per partial sum of the global average pool (pool.cl). */
    static final int POOL_CHUNK = 256;

    /** The parts the global average pool cuts {@code hw} pixels into. */
    public static int poolParts(int hw) {
        return (hw + POOL_CHUNK - 1) / POOL_CHUNK;
    }

    /** Device scratch of the global average pool: float partial sums when it has more than one part. */
    public static long globalAvgPoolScratch(int n, int hw, int channels) {
        int p = poolParts(hw);
        return p > 1 ? 4L * n * p * channels : 0;
    }

    /**
     * out[n, c] = mean of in[n, :, c] over {@code hw} pixels, in one launch or, past
     * {@link #POOL_CHUNK} pixels, partial sums into {@code scratch} ({@link #globalAvgPoolScratch})
     * and a second launch that adds them.
     */
    public static java.util.List<Launch> globalAvgPool(
            ClContext ctx, ClBuffer in, ClBuffer out, ClBuffer scratch, int n, int hw, int channels) {
        int parts = poolParts(hw);
        Launch part = globalAvgPoolPart(ctx, in, parts == 1 ? out : scratch, n, hw, channels);
        if (parts == 1) return java.util.List.of(part);
        ClKernel s = poolProgram(ctx, channels, parts).kernel("avgpool_sum");
        s.arg(scratch).arg(out).arg(parts).arg(channels).arg(hw);
        return java.util.List.of(
                part,
                new Launch(
                        s,
                        new long[] {channels, n},
                        null,
                        "pool",
                        (long) n * parts * channels,
                        4L * n * parts * channels + (long) ctx.precision().elementBytes() * n * channels));
    }

    private static io.edgecl.cl.ClProgram poolProgram(ClContext ctx, int channels, int parts) {
        int vw = channelVector(ctx, channels);
        Map<String, String> d = Map.of("POOL_VW", String.valueOf(vw), "POOL_FINAL", parts == 1 ? "1" : "0");
        return ctx.program(d, java.util.List.of("avgpool_part", "avgpool_sum"), "pool.cl");
    }

    /**
     * The first launch of {@link #globalAvgPool}: with one part the means into {@code out}, else
     * float partial sums [n, parts, channels] ({@link #poolParts}) into {@code out}, for a
     * reduction that follows.
     */
    public static Launch globalAvgPoolPart(ClContext ctx, ClBuffer in, ClBuffer out, int n, int hw, int channels) {
        int parts = poolParts(hw);
        int vw = channelVector(ctx, channels);
        ClKernel k = poolProgram(ctx, channels, parts).kernel("avgpool_part");
        k.arg(in).arg(out).arg(hw).arg(channels).arg(POOL_CHUNK).arg(parts).arg(n);
        long cv = (channels + vw - 1) / vw, rows = (long) n * parts;
        CpuGrid g = CpuGrid.orDriver(ctx.info(), cv, rows);
        long bytes = (long) ctx.precision().elementBytes() * ((long) n * hw * channels + (long) n * channels);
        return new Launch(k, g.global(), g.local(), "pool", (long) n * hw * channels, bytes);
    }

    /** out = act(x + y). */
    public static Launch add(ClContext ctx, ClBuffer x, ClBuffer y, ClBuffer out, int n, Act act) {
        ClKernel k = ctx.kernel(Map.of("ACT", act.macro()), "add2", "elementwise.cl");
        k.arg(x).arg(y).arg(out).arg(n);
        return new Launch(
                k,
                new long[] {Launch.roundUp(n, WG)},
                new long[] {WG},
                "add",
                n,
                3L * ctx.precision().elementBytes() * n);
    }

    /** out = act(x * scale[c] + shift[c]). */
    public static Launch affine(
            ClContext ctx, ClBuffer x, ClBuffer scale, ClBuffer shift, ClBuffer out, int n, int channels, Act act) {
        int rows = n / channels;
        int vw = channelVector(ctx, channels);
        // CPU runtimes: a channel vector × 8 rows per work-item
        if (ctx.info().isCpu() && vw >= 4) return affineVec(ctx, x, scale, shift, out, n, channels, act, vw);
        ClKernel k = ctx.kernel(Map.of("ACT", act.macro()), "affine", "elementwise.cl");
        k.arg(x).arg(scale).arg(shift).arg(out).arg(rows).arg(channels);
        // groups of 16 channels × 4 rows, as channel_gate's
        return new Launch(
                k,
                new long[] {Launch.roundUp(channels, 16), Launch.roundUp(rows, 4)},
                new long[] {16, 4},
                "affine",
                2L * n,
                2L * ctx.precision().elementBytes() * n);
    }

    /**
     * {@link #affine} in vectors of {@code vw} channels (4, 8 or 16, dividing {@code channels}) ×
     * 8 rows per work-item, in about 4 groups per compute unit: the CPU runtimes' form (tests run
     * it on any device).
     */
    static Launch affineVec(
            ClContext ctx,
            ClBuffer x,
            ClBuffer scale,
            ClBuffer shift,
            ClBuffer out,
            int n,
            int channels,
            Act act,
            int vw) {
        if (channels % vw != 0)
            throw new IllegalArgumentException(vw + " lanes do not divide " + channels + " channels");
        int rows = n / channels;
        ClKernel k = ctx.kernel(
                Map.of("ACT", act.macro(), "AFF_VW", String.valueOf(vw), "AFF_ROWS", "8"),
                "affine_vec",
                "elementwise.cl");
        k.arg(x).arg(scale).arg(shift).arg(out).arg(rows).arg(channels);
        CpuGrid g = CpuGrid.withGroups(ctx.info(), CpuGrid.GROUPS_PER_UNIT, channels / vw, (rows + 7) / 8);
        return new Launch(
                k, g.global(), g.local(), "affine", 2L * n, 2L * ctx.precision().elementBytes() * n);
    }

    /** out = x * s[image, c] over [images, hw, channels]. */
    public static Launch channelGate(ClContext ctx, ClBuffer x, ClBuffer s, ClBuffer out, int n, int hw, int channels) {
        ClKernel k = ctx.kernel(Map.of(), "channel_gate", "elementwise.cl");
        k.arg(x).arg(s).arg(out).arg(hw).arg(channels);
        // groups of 16 channels × 4 pixels: 64 work-items, as the other element-wise kernels
        return new Launch(
                k,
                new long[] {Launch.roundUp(channels, 16), Launch.roundUp(hw, 4), n / ((long) hw * channels)},
                new long[] {16, 4, 1},
                "channel_gate",
                n,
                2L * ctx.precision().elementBytes() * n);
    }

    /** k x k pooling, stride, symmetric padding; output [n, ho, wo, c]. */
    public static Launch pool2d(
            ClContext ctx,
            ClBuffer in,
            ClBuffer out,
            int n,
            int h,
            int w,
            int c,
            int ho,
            int wo,
            int k,
            int stride,
            int pad,
            boolean max,
            boolean countIncludePad) {
        long outs = (long) n * ho * wo * c;
        long bytes = (long) ctx.precision().elementBytes() * ((long) n * h * w * c + outs);
        int vw = channelVector(ctx, c);
        boolean vec = ctx.info().isCpu() && vw >= 4;
        ClKernel kern = vec
                ? ctx.kernel(Map.of("POOL_VW", String.valueOf(vw)), "pool2d_vec", "pool.cl")
                : ctx.kernel(Map.of(), "pool2d", "pool.cl");
        kern.arg(in)
                .arg(out)
                .arg(h)
                .arg(w)
                .arg(c)
                .arg(ho)
                .arg(wo)
                .arg(k)
                .arg(stride)
                .arg(pad)
                .arg(max ? 1 : 0)
                .arg(countIncludePad ? 1 : 0)
                .arg(n * ho);
        CpuGrid g = vec
                ? CpuGrid.of(ctx.info(), c / vw, wo, (long) n * ho)
                : new CpuGrid(new long[] {c, wo, (long) n * ho}, null);
        return new Launch(kern, g.global(), g.local(), "pool2d", outs * k * k, bytes);
    }

    /** The widest float vector (16, 8, 4, else 1) of this device that divides {@code channels}. */
    static int channelVector(ClContext ctx, int channels) {
        int vw = Math.min(Integer.highestOneBit(Math.max(1, ctx.info().preferredFloatWidth())), 16);
        while (vw > 1 && channels % vw != 0) vw /= 2;
        return vw;
    }
}
