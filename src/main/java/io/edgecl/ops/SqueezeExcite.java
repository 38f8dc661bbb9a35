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
     * with {@code act1}, w2 [cr, c] and b2 [c] expanding with the gate's {@code act2}; w2t, w2
     * as {@link #transpose} lays it out, where the gate runs in two launches (else null).
     */
    public record Convs(ClBuffer w1, ClBuffer b1, Act act1, ClBuffer w2, ClBuffer b2, Act act2, ClBuffer w2t) {}

    /** w2 [cr, c] transposed to [c, cr]: the two-launch form's layout of the expanding conv ({@link #splitGroups}). */
    public static float[] transpose(float[] w2, int cr, int c) {
        float[] t = new float[c * cr];
        for (int j = 0; j < cr; j++) for (int i = 0; i < c; i++) t[i * cr + j] = w2[j * c + i];
        return t;
    }

    /** Weights per conv (c x cr) from which a CPU runtime runs the gate in two launches ({@link #splitGroups}). */
    static final long SPLIT_WEIGHTS = 32_768;

    /**
     * The gate's form: one launch (se_excite, one work-group per image), two (se_reduce and
     * se_expand, several work-groups per image splitting the weights), or auto: two on CPU
     * runtimes for wide gates at small batches ({@link #splitGroups}), else one.
     */
    public enum Form {
        AUTO,
        ONE,
        TWO
    }

    /**
     * Work-groups per image of the gate's two-launch form (excite.cl's se_reduce and se_expand),
     * or 0 for the one launch of se_excite. se_excite runs one work-group per image, so on a CPU
     * runtime at a batch smaller than the compute units a wide gate's weights stream through one
     * core while the others wait: MobileNetV3-Large's 480 x 120, 672 x 168 and 672 x 168 gates took
     * 75, 155 and 145 µs at batch 1 on two Zen 3 cores. With {@code se-excite=auto}, from
     * {@link #SPLIT_WEIGHTS} weights per conv and below twice as many images as compute units, the
     * gate runs as two launches of about two work-groups per compute unit, each reading a
     * contiguous block of each matrix (those three gates then took 46, 77 and 77 µs).
     */
    public static int splitGroups(OpChoices choices, ClContext ctx, int n, int c, int cr) {
        Form f = choices.resolve(KernelFamily.SE_EXCITE, ctx.info());
        int units = Math.max(1, ctx.info().computeUnits());
        if (f == Form.ONE) return 0;
        if (f == Form.AUTO && (!ctx.info().isCpu() || (long) c * cr < SPLIT_WEIGHTS || n >= 2 * units)) return 0;
        int vw = vectorWidth(ctx);
        // no more groups than blocks of whole vectors of channels
        return Math.max(1, Math.min((2 * units + n - 1) / n, (c + vw - 1) / vw));
    }

    /**
     * The float partial sums of the hidden layer that the two-launch form in {@code groups}
     * work-groups per image ({@link #splitGroups}) keeps between its launches; 0 for one launch.
     */
    public static long hiddenPartsBytes(ClContext ctx, int groups, int n, int cr) {
        return groups == 0 ? 0 : 4L * n * groups * Launch.roundUp(cr, vectorWidth(ctx));
    }

    /**
     * The gate's launches: {@link #create} on x, or where it {@link #poolsFirst pools first} the
     * pool's partial sums into {@code scratch} ({@link #scratchBytes}) and {@link #create} on those;
     * {@code groups} is the gate's {@link #splitGroups} and {@code hparts} ({@link
     * #hiddenPartsBytes}, null where that is 0) holds the two-launch form's partial sums.
     */
    public static java.util.List<Launch> launches(
            ClContext ctx,
            int groups,
            ClBuffer x,
            ClBuffer scratch,
            ClBuffer hparts,
            Convs convs,
            ClBuffer gate,
            int n,
            int hw,
            int c,
            int cr) {
        if (!poolsFirst(hw, c)) return gate(ctx, x, false, hw, convs, gate, hparts, n, hw, c, cr, groups);
        java.util.List<Launch> l = new java.util.ArrayList<>();
        l.add(Elementwise.globalAvgPoolPart(ctx, x, scratch, n, hw, c));
        l.addAll(gate(ctx, scratch, true, Elementwise.poolParts(hw), convs, gate, hparts, n, hw, c, cr, groups));
        return l;
    }

    /**
     * The gate from float partial sums [n, rows, c] of x over its {@code hw} pixels that the
     * launch which made x wrote beside it ({@link ExpandDepthwise#create} or {@link
     * DepthwiseConv#create} with a parts buffer): no pass of its own over x. {@code groups} and
     * {@code hparts} as for {@link #launches}.
     */
    public static java.util.List<Launch> fromParts(
            ClContext ctx,
            int groups,
            ClBuffer parts,
            int rows,
            Convs convs,
            ClBuffer gate,
            ClBuffer hparts,
            int n,
            int hw,
            int c,
            int cr) {
        return gate(ctx, parts, true, rows, convs, gate, hparts, n, hw, c, cr, groups);
    }

    /** se_excite ({@code groups} 0), or se_reduce and se_expand in {@code groups} work-groups per image. */
    static java.util.List<Launch> gate(
            ClContext ctx,
            ClBuffer x,
            boolean parts,
            int rows,
            Convs convs,
            ClBuffer gate,
            ClBuffer hparts,
            int n,
            int hw,
            int c,
            int cr,
            int groups) {
        if (groups == 0) return java.util.List.of(create(ctx, x, parts, rows, convs, gate, n, hw, c, cr));
        int vw = vectorWidth(ctx);
        int crp = (int) Launch.roundUp(cr, vw);
        int per = (int) Launch.roundUp((c + groups - 1) / groups, vw);
        Map<String, String> d = Map.of("SE_VW", String.valueOf(vw), "SE_PARTS", parts ? "1" : "0");
        ClKernel reduce = ctx.kernel(d, "se_reduce", "excite.cl");
        reduce.arg(x)
                .arg(convs.w1())
                .arg(hparts)
                .arg(rows)
                .arg(1.0f / hw)
                .arg(c)
                .arg(cr)
                .arg(crp)
                .arg(groups)
                .arg(per)
                .local(4L * per)
                .local(4L * crp);
        ClKernel expand = ctx.kernel(d, "se_expand", "excite.cl");
        expand.arg(hparts)
                .arg(convs.b1())
                .arg(convs.w2t())
                .arg(convs.b2())
                .arg(gate)
                .arg(c)
                .arg(cr)
                .arg(crp)
                .arg(groups)
                .arg(per)
                .arg(convs.act1().code())
                .arg(convs.act2().code())
                .local(4L * crp)
                .local(4L * per);
        long items = (long) n * groups;
        int eb = ctx.precision().elementBytes();
        long in = pooledBytes(ctx, parts, n, rows, c);
        long hp = 4L * n * groups * crp;
        return java.util.List.of(
                new Launch(
                        reduce,
                        new long[] {items},
                        new long[] {1},
                        "se_reduce",
                        (long) n * rows * c + 2L * n * c * cr,
                        in + (long) eb * c * cr + hp),
                new Launch(
                        expand,
                        new long[] {items},
                        new long[] {1},
                        "se_expand",
                        2L * n * c * cr,
                        hp * groups + (long) eb * (c * cr + c + (long) n * c)));
    }

    /** The bytes a gate reads to pool: the activations, or with {@code parts} their float partial sums. */
    private static long pooledBytes(ClContext ctx, boolean parts, int n, int rows, int c) {
        return (parts ? 4L : ctx.precision().elementBytes()) * n * rows * c;
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
        // CPU runtimes: the products read the weights front to back (excite.cl's SE_STREAM)
        ClKernel k = ctx.kernel(
                Map.of(
                        "SE_VW",
                        String.valueOf(vw),
                        "SE_PARTS",
                        parts ? "1" : "0",
                        "SE_STREAM",
                        ctx.info().isCpu() ? "1" : "0"),
                "se_excite",
                "excite.cl");
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
        long in = pooledBytes(ctx, parts, n, rows, c);
        long bytes = in + (long) ctx.precision().elementBytes() * (2L * c * cr + (long) n * c);
        return new Launch(k, new long[] {(long) n * group}, new long[] {group}, "se_excite", flops, bytes);
    }
}
