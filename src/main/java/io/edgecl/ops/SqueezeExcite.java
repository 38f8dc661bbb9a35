package io.edgecl.ops;

import io.edgecl.cl.ClBuffer;
import io.edgecl.cl.ClContext;
import io.edgecl.cl.ClKernel;
import java.util.Map;

/**
 * A squeeze-excite gate in one launch (excite.cl): the mean over the pixels and the two 1x1
 * convs, one work-group per image.
 */
public final class SqueezeExcite {
    private SqueezeExcite() {}

    /**
     * Whether one launch pays for {@code c} channels and {@code cr} hidden ones: up to 120,000
     * weights per conv (about 1 MB for the two), which one work-group reads in less than the
     * two GEMM launches and the pool take with their gaps; the widest gates of MobileNetV3's
     * last stage (960 x 240) took 95 µs in one launch against about 75 in four.
     */
    public static boolean pays(int c, int cr) {
        return (long) c * cr <= 120_000;
    }

    /** The kernel's vector width on this device (SE_VW). */
    public static int vectorWidth(ClContext ctx) {
        return Gemm.panelVector(ctx, 16);
    }

    /**
     * Whether the pool runs as a launch of its own first, on every compute unit: past 65,536
     * values per image (EfficientNet's 56 x 56 x 144 gates), where one work-group per image
     * reading them all took longer than the launch saves.
     */
    public static boolean poolsFirst(int hw, int c) {
        return (long) hw * c > 65_536 && Elementwise.poolParts(hw) > 1;
    }

    /** Device scratch of the launches: the pool's float partial sums when it {@link #poolsFirst pools first}. */
    public static long scratchBytes(int n, int hw, int c) {
        return poolsFirst(hw, c) ? 4L * n * Elementwise.poolParts(hw) * c : 0;
    }

    /**
     * The two 1x1 convs of a gate as their GEMMs take them: w1 [c, cr] and b1 [cr] reducing
     * with {@code act1}, w2 [cr, c] and b2 [c] expanding with the gate's {@code act2}.
     */
    public record Convs(ClBuffer w1, ClBuffer b1, Act act1, ClBuffer w2, ClBuffer b2, Act act2) {}

    /**
     * The gate's launches: {@link #create} on x, or where it {@link #poolsFirst pools first} the
     * pool's partial sums into {@code scratch} ({@link #scratchBytes}) and {@link #create} on those.
     */
    public static java.util.List<Launch> launches(
            ClContext ctx, ClBuffer x, ClBuffer scratch, Convs convs, ClBuffer gate, int n, int hw, int c, int cr) {
        if (!poolsFirst(hw, c)) return java.util.List.of(create(ctx, x, false, hw, convs, gate, n, hw, c, cr));
        return java.util.List.of(
                Elementwise.globalAvgPoolPart(ctx, x, scratch, n, hw, c),
                create(ctx, scratch, true, Elementwise.poolParts(hw), convs, gate, n, hw, c, cr));
    }

    /**
     * The gate from float partial sums [n, rows, c] of x over its {@code hw} pixels that the
     * launch which made x wrote beside it ({@link ExpandDepthwise#create} or {@link
     * DepthwiseConv#create} with a parts buffer):
     * one launch, and no pass of its own over x.
     */
    public static Launch fromParts(
            ClContext ctx, ClBuffer parts, int rows, Convs convs, ClBuffer gate, int n, int hw, int c, int cr) {
        return create(ctx, parts, true, rows, convs, gate, n, hw, c, cr);
    }

    /**
     * gate[n, c] = act2(act1(mean_p x[n, p, :] · w1 + b1) · w2 + b2) for {@code n} images of
     * {@code hw} pixels and {@code c} channels, {@code cr} hidden ones, x the activations ({@code
     * rows} = hw) or with {@code parts} the pool's float partial sums ({@code rows} of them).
     */
    static Launch create(
            ClContext ctx,
            ClBuffer x,
            boolean parts,
            int rows,
            Convs convs,
            ClBuffer gate,
            int n,
            int hw,
            int c,
            int cr) {
        int vw = vectorWidth(ctx);
        int crp = (int) Launch.roundUp(cr, vw), cp = (int) Launch.roundUp(c, vw);
        ClKernel k = ctx.kernel(
                Map.of("SE_VW", String.valueOf(vw), "SE_PARTS", parts ? "1" : "0"), "se_excite", "excite.cl");
        k.arg(x)
                .arg(convs.w1())
                .arg(convs.b1())
                .arg(convs.w2())
                .arg(convs.b2())
                .arg(gate)
                .arg(rows)
                .arg(1.0f / hw)
                .arg(c)
                .arg(cr)
                .arg(crp)
                .arg(cp)
                .arg(convs.act1().code())
                .arg(convs.act2().code())
                .local(4L * cp)
                .local(4L * crp);
        // a CPU runtime runs a work-group on one thread: one work-item, no barriers to emulate
        int group = ctx.info().isCpu() ? 1 : (int) Math.min(64, ctx.info().maxWorkGroupSize());
        long flops = (long) n * rows * c + 4L * n * c * cr;
        long in = parts ? 4L * n * rows * c : (long) ctx.precision().elementBytes() * n * rows * c;
        long bytes = in + (long) ctx.precision().elementBytes() * (2L * c * cr + (long) n * c);
        return new Launch(k, new long[] {(long) n * group}, new long[] {group}, "se_excite", flops, bytes);
    }
}
