package io.edgecl.ops;

import io.edgecl.cl.ClBuffer;
import io.edgecl.cl.ClContext;
import io.edgecl.cl.ClKernel;
import java.util.List;
import java.util.Map;

/**
 * Cross-covariance ("transposed") attention over channels (kernels-cl/attention.cl): from the
 * qkv projection [N, T, 3C] to [N, T, C]. Three launches: scores with the L2 norms and the
 * temperature, row softmax, and attention × v; {@code scratch} holds N·heads·D·D floats.
 */
public final class ChannelAttention {
    private ChannelAttention() {}

    public static long scratchFloats(int n, int channels, int heads) {
        long d = channels / heads;
        return (long) n * heads * d * d;
    }

    public static List<Launch> create(ClContext ctx, ClBuffer qkv, ClBuffer temperature, ClBuffer scratch,
                                      ClBuffer out, int n, int tokens, int channels, int heads) {
        int d = channels / heads;
        var prog = ctx.program(Map.of(), "attention.cl");
        ClKernel scores = prog.kernel("xca_scores");
        scores.arg(qkv).arg(temperature).arg(scratch).arg(tokens).arg(channels).arg(heads);
        ClKernel softmax = prog.kernel("softmax_rows");
        int rows = n * heads * d;
        softmax.arg(scratch).arg(rows).arg(d);
        ClKernel apply = prog.kernel("xca_apply");
        apply.arg(scratch).arg(qkv).arg(out).arg(tokens).arg(channels).arg(heads);
        long nt = (long) n * tokens;
        long dd = (long) n * heads * d * d;
        long e = ctx.precision().elementBytes(); // the D×D scratch is float in every precision
        return List.of(
                new Launch(scores, new long[] {d, d, (long) n * heads}, null, "xca_scores", 6L * dd * tokens,
                        e * dd * tokens * 2 + 4L * dd),
                new Launch(softmax, new long[] {rows}, null, "softmax", 4L * dd, 4L * 2 * dd),
                new Launch(apply, new long[] {channels, tokens, n}, null, "xca_apply", 2L * nt * channels * d,
                        e * nt * channels * 2 + 4L * dd));
    }

    /** Forces the one-launch variant: -Dedgecl.xca=item|group (default: item on CPUs for head dims up to 64). */
    public static final String VARIANT_PROPERTY = "edgecl.xca";

    /**
     * Whether the one-launch attention runs as one work-item per (image, head) (xca_cpu: no
     * barriers, which CPU runtimes emulate) rather than a work-group (xca_fused).
     */
    static boolean perImageHead(ClContext ctx, int headDim) {
        String v = Variants.get(VARIANT_PROPERTY);
        if (v.equals("group")) return false;
        if (!v.isEmpty() && !v.equals("item")) {
            throw new io.edgecl.EdgeClException("-D" + VARIANT_PROPERTY + "=" + v + ": use item or group");
        }
        return headDim <= 64 && (v.equals("item") || ctx.info().type().equals("CPU"));
    }

    /** The fused kernel's work-group (XCA_WG in attention.cl). */
    static WorkGroup workGroup(ClContext ctx) {
        return WorkGroup.of("XCA_WG", 64, ctx.info());
    }

    /** The same computation in one launch: a work-group per (image, head). */
    public static Launch createFused(ClContext ctx, ClBuffer qkv, ClBuffer temperature, ClBuffer scratch, ClBuffer out,
                                     int n, int tokens, int channels, int heads) {
        int d = channels / heads;
        long nt = (long) n * tokens;
        long dd = (long) n * heads * d * d;
        long flops = 2L * dd * tokens + 4L * nt * channels + 4L * dd + 2L * nt * channels * d;
        if (perImageHead(ctx, d)) {
            ClKernel k = ctx.program(Map.of("XCA_D", String.valueOf(d)), "attention.cl").kernel("xca_cpu");
            k.arg(qkv).arg(temperature).arg(out).arg(tokens).arg(channels).arg(heads);
            return new Launch(k, new long[] {(long) n * heads}, null, "channel_attention", flops,
                    (long) ctx.precision().elementBytes() * (nt * 3 * channels + nt * channels));
        }
        WorkGroup wg = workGroup(ctx);
        ClKernel k = ctx.program(wg.defines(), "attention.cl").kernel("xca_fused");
        k.arg(qkv).arg(temperature).arg(scratch).arg(out).arg(tokens).arg(channels).arg(heads)
                .local(8L * d);
        return new Launch(k, new long[] {(long) wg.size() * n * heads}, new long[] {wg.size()}, "channel_attention",
                flops,
                (long) ctx.precision().elementBytes() * (nt * 3 * channels + nt * channels) + 8L * dd);
    }
}
