package io.edgecl.ops;

import io.edgecl.cl.ClBuffer;
import io.edgecl.cl.ClContext;
import io.edgecl.cl.ClKernel;
import java.util.Map;

/** LayerNorm over the channels of each NHWC row (kernels-cl/layernorm.cl). */
public final class LayerNorm {
    private LayerNorm() {}

    /** Forces the kernel: -Dedgecl.layernorm=vec|row (default: vec on CPUs where the channels allow). */
    public static final String VARIANT_PROPERTY = "edgecl.layernorm";

    /** The vector width of the CPU kernel for {@code channels}, or 0 for the one-row scalar kernel. */
    static int vectorWidth(ClContext ctx, int channels) {
        String v = Variants.get(VARIANT_PROPERTY);
        if (v.equals("row") || (v.isEmpty() && !ctx.info().type().equals("CPU"))) return 0;
        int w = Math.min(16, Integer.highestOneBit(Math.max(4, ctx.info().preferredFloatWidth())));
        while (w >= 4 && channels % w != 0) w /= 2;
        return w >= 4 ? w : 0;
    }

    public static Launch create(ClContext ctx, ClBuffer in, ClBuffer gamma, ClBuffer beta, ClBuffer out, int rows,
                                int channels, float eps) {
        int vw = vectorWidth(ctx, channels);
        ClKernel k = vw > 0
                ? ctx.kernel(Map.of("LN_VW", String.valueOf(vw)), "layernorm_vec", "layernorm.cl")
                : ctx.kernel(Map.of(), "layernorm", "layernorm.cl");
        k.arg(in).arg(gamma).arg(beta).arg(out).arg(rows).arg(channels).arg(eps);
        long n = (long) rows * channels;
        CpuGrid g = vw > 0 ? CpuGrid.orDriver(ctx.info(), rows) : new CpuGrid(new long[] {rows}, null);
        return new Launch(k, g.global(), g.local(), "layernorm", 8L * n,
                (long) ctx.precision().elementBytes() * (2 * n + 2L * channels));
    }
}
