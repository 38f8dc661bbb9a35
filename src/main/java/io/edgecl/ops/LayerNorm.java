package io.edgecl.ops;

import io.edgecl.cl.ClBuffer;
import io.edgecl.cl.ClContext;
import io.edgecl.cl.ClKernel;
import java.util.Map;

/** LayerNorm over the channels of each NHWC row (kernels-cl/layernorm.cl). */
public final class LayerNorm {
    private LayerNorm() {}

    public static Launch create(ClContext ctx, ClBuffer in, ClBuffer gamma, ClBuffer beta, ClBuffer out, int rows,
                                int channels, float eps) {
        ClKernel k = ctx.program(Map.of(), "layernorm.cl").kernel("layernorm");
        k.arg(in).arg(gamma).arg(beta).arg(out).arg(rows).arg(channels).arg(eps);
        long n = (long) rows * channels;
        return new Launch(k, new long[] {rows}, null, "layernorm", 8L * n,
                (long) ctx.precision().elementBytes() * (2 * n + 2L * channels));
    }
}
