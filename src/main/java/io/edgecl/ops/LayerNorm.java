package io.edgecl.ops;

import io.edgecl.cl.ClBuffer;
import io.edgecl.cl.ClContext;
import io.edgecl.cl.ClKernel;
import java.util.Map;

/** LayerNorm over the channels of each NHWC row (kernels-cl/layernorm.cl). */
public final class LayerNorm {
    private LayerNorm() {}

    /**
     * The kernels: {@code VEC} (a row per work-item in explicit vectors of 16, 8 or 4 channels where
     * they divide, else {@code ROW}) or {@code ROW} (the one-row scalar kernel).
     */
    public enum Form {
        VEC,
        ROW
    }

    /** The vector width of the CPU kernel for {@code channels}, or 0 for the one-row scalar kernel. */
    static int vectorWidth(OpChoices choices, ClContext ctx, int channels) {
        Form f = choices.resolve(KernelFamily.LAYERNORM, ctx.info());
        if (f == Form.ROW) return 0;
        int w = Math.min(16, Integer.highestOneBit(Math.max(4, ctx.info().preferredFloatWidth())));
        while (w >= 4 && channels % w != 0) w /= 2;
        return w >= 4 ? w : 0;
    }

    public static Launch create(
            ClContext ctx,
            OpChoices choices,
            ClBuffer in,
            ClBuffer gamma,
            ClBuffer beta,
            ClBuffer out,
            int rows,
            int channels,
            float eps) {
        int vw = vectorWidth(choices, ctx, channels);
        ClKernel k = vw > 0
                ? ctx.kernel(Map.of("LN_VW", String.valueOf(vw)), "layernorm_vec", "layernorm.cl")
                : ctx.kernel(Map.of(), "layernorm", "layernorm.cl");
        k.arg(in).arg(gamma).arg(beta).arg(out).arg(rows).arg(channels).arg(eps);
        long n = (long) rows * channels;
        CpuGrid g = vw > 0 ? CpuGrid.orDriver(ctx.info(), rows) : new CpuGrid(new long[] {rows}, null);
        return new Launch(
                k,
                g.global(),
                g.local(),
                "layernorm",
                8L * n,
                (long) ctx.precision().elementBytes() * (2 * n + 2L * channels));
    }
}
