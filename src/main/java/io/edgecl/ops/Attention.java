package io.edgecl.ops;

import io.edgecl.EdgeClException;
import io.edgecl.cl.ClBuffer;
import io.edgecl.cl.ClContext;
import io.edgecl.cl.ClKernel;
import java.util.Map;

/**
 * Multi-head softmax self-attention over a qkv projection (kernels-cl/attention.cl, kernel
 * mhsa), with tokens grouped by their position inside patchH × patchW patches.
 */
public final class Attention {
    /** Largest head dimension the kernel keeps in private registers. */
    public static final int MAX_HEAD_DIM = 128;

    private Attention() {}

    public static Launch selfAttention(ClContext ctx, ClBuffer qkv, ClBuffer out, int n, int h, int w, int channels,
                                       int heads, float scale, int patchH, int patchW) {
        int d = channels / heads;
        if (d * heads != channels || d > MAX_HEAD_DIM) {
            throw new EdgeClException("attention with " + channels + " channels and " + heads
                    + " heads: head dimension must divide the channels and be at most " + MAX_HEAD_DIM);
        }
        if (h % patchH != 0 || w % patchW != 0) {
            throw new EdgeClException("attention over " + h + "x" + w + " tokens needs a multiple of the " + patchH + "x"
                    + patchW + " patch");
        }
        ClKernel k = ctx.program(Map.of("HEAD_DIM", String.valueOf(d)), "attention.cl").kernel("mhsa");
        k.arg(qkv).arg(out).arg(h).arg(w).arg(channels).arg(scale).arg(patchH).arg(patchW);
        long tokens = (long) h * w;
        long group = tokens / ((long) patchH * patchW);
        return new Launch(k, new long[] {group, (long) patchH * patchW * heads, n}, null, "self_attention", 4L * n * tokens * group * channels,
                (long) ctx.precision().elementBytes() * ((long) n * tokens * 3 * channels * (1 + group / Math.max(1, 64)) + (long) n * tokens * channels));
    }
}
