package io.edgecl.ops;

import io.edgecl.cl.ClBuffer;
import io.edgecl.cl.ClContext;
import io.edgecl.cl.ClKernel;
import java.util.Map;

/** Dense convolution over NHWC (kernels-cl/conv2d.cl); weights laid out [KH, KW, Cin, Cout]. */
public final class Conv2d {
    private Conv2d() {}

    public static int outSize(int in, int k, int stride, int pad) {
        return (in + 2 * pad - k) / stride + 1;
    }

    public static Launch create(ClContext ctx, ClBuffer in, ClBuffer w, ClBuffer bias, ClBuffer out, int n, int h,
                                int wd, int cin, int cout, int kh, int kw, int stride, int padH, int padW, Act act) {
        return create(ctx, in, w, bias, out, n, h, wd, cin, cout, kh, kw, stride, padH, padW, act,
                outSize(h, kh, stride, padH), outSize(wd, kw, stride, padW));
    }

    /**
     * With an explicit output size: padH/padW pad the top/left, and the bottom/right padding is
     * whatever the output size implies (TensorFlow "same" padding is asymmetric).
     */
    public static Launch create(ClContext ctx, ClBuffer in, ClBuffer w, ClBuffer bias, ClBuffer out, int n, int h,
                                int wd, int cin, int cout, int kh, int kw, int stride, int padH, int padW, Act act,
                                int ho, int wo) {
        ClKernel k = ctx.program(Map.of("HAS_BIAS", bias != null ? "1" : "0", "ACT", act.macro()), "conv2d.cl")
                .kernel(cout % 4 == 0 ? "conv2d_c4w4" : "conv2d");
        k.arg(0, in).arg(1, w).arg(2, bias != null ? bias : ctx.placeholder()).arg(3, out)
                .arg(4, h).arg(5, wd).arg(6, cin).arg(7, cout).arg(8, ho).arg(9, wo)
                .arg(10, kh).arg(11, kw).arg(12, stride).arg(13, padH).arg(14, padW).arg(15, n * ho);
        long outs = (long) n * ho * wo * cout;
        long[] local = null;
        long[] global = cout % 4 == 0 ? new long[] {cout / 4, (wo + 3) / 4, (long) n * ho}
                : new long[] {cout, wo, (long) n * ho};
        return new Launch(k, global, local, "conv2d", 2L * outs * kh * kw * cin,
                4L * ((long) n * h * wd * cin + (long) kh * kw * cin * cout + outs));
    }
}
