package io.edgecl.ops;

import io.edgecl.cl.ClBuffer;
import io.edgecl.cl.ClContext;
import io.edgecl.cl.ClKernel;
import java.util.Map;

/**
 * The SDTA block's cascade of depthwise convs over channel chunks in one launch
 * (kernels-cl/cascade.cl), optionally adding a positional encoding [H*W, C] to the result.
 */
public final class SplitCascade {
    /** The kernel's work-group (CASCADE_WG in cascade.cl). */
    static WorkGroup workGroup(ClContext ctx) {
        return WorkGroup.of("CASCADE_WG", 64, ctx.info());
    }

    private SplitCascade() {}

    /**
     * The forms of the cascade: {@code PACKED} (this one launch over the packed weights) or
     * {@code SPLIT} (one depthwise-conv launch per chunk). CPU runtimes run the packed kernel's
     * per-channel work-groups with emulated barriers, one core at a time: on EdgeNeXt-XXS its
     * three launches took 0.76–0.90 ms, the per-chunk launches 0.27 ms.
     */
    public enum Form {
        PACKED,
        SPLIT
    }

    /** Whether the cascade runs as one packed launch: the forced or tuned form, else the device default. */
    public static boolean packed(OpChoices choices, ClContext ctx) {
        return choices.resolve(KernelFamily.CASCADE, ctx.info()) == Form.PACKED;
    }

    /**
     * @param weights [nconv, k, k, width]
     * @param biases  [nconv, width] or null
     * @param pos     [H*W, C] or null
     */
    public static Launch create(
            ClContext ctx,
            ClBuffer in,
            ClBuffer weights,
            ClBuffer biases,
            ClBuffer pos,
            ClBuffer out,
            int n,
            int h,
            int w,
            int c,
            int width,
            int nconv,
            int k) {
        WorkGroup wg = workGroup(ctx);
        ClKernel kern = ctx.kernel(
                Map.of(
                        "HAS_BIAS",
                        biases != null ? "1" : "0",
                        "HAS_POS",
                        pos != null ? "1" : "0",
                        wg.macro(),
                        String.valueOf(wg.size())),
                "split_cascade",
                "cascade.cl");
        kern.arg(in)
                .arg(weights)
                .arg(biases != null ? biases : ctx.placeholder())
                .arg(pos != null ? pos : ctx.placeholder())
                .arg(out)
                .arg(h)
                .arg(w)
                .arg(c)
                .arg(width)
                .arg(nconv)
                .arg(k);
        long px = (long) n * h * w;
        return new Launch(
                kern,
                new long[] {(long) wg.size() * width, n},
                new long[] {wg.size(), 1},
                "split_cascade",
                2L * px * width * nconv * k * k,
                (long) ctx.precision().elementBytes() * (px * c * 2 + px * width * nconv * 2));
    }
}
