package io.edgecl.ops;

import io.edgecl.cl.ClBuffer;
import io.edgecl.cl.ClContext;
import io.edgecl.cl.ClKernel;
import java.util.List;
import java.util.Map;

/**
 * Bilinear resize of NHWC tensors (kernels-cl/resize.cl), with the coordinates of PyTorch's
 * {@code interpolate(mode="bilinear", align_corners=...)} for an explicit output size.
 */
public final class Resize {
    private Resize() {}

    /**
     * The step between source coordinates of consecutive output pixels along an axis of {@code in}
     * pixels resized to {@code out}, as PyTorch computes it in float: in / out, or with
     * {@code alignCorners} (in - 1) / (out - 1), and 0 for a single output pixel.
     */
    public static float scale(int in, int out, boolean alignCorners) {
        if (alignCorners) return out > 1 ? (float) (in - 1) / (float) (out - 1) : 0f;
        return (float) in / (float) out;
    }

    /** out [n, ho, wo, c] = the bilinear resize of in [n, h, w, c]. */
    public static Launch bilinear(
            ClContext ctx,
            ClBuffer in,
            ClBuffer out,
            int n,
            int h,
            int w,
            int c,
            int ho,
            int wo,
            boolean alignCorners) {
        boolean cpu = ctx.info().isCpu();
        // per pixel on a CPU runtime: its channels in vectors of 4 and the rest one by one
        int vw = cpu || c % 4 == 0 ? 4 : 1;
        ClKernel k = ctx.kernel(
                Map.of("RS_VW", String.valueOf(vw)), cpu ? "resize_bilinear_px" : "resize_bilinear", "resize.cl");
        k.arg(in)
                .arg(out)
                .arg(h)
                .arg(w)
                .arg(c)
                .arg(ho)
                .arg(wo)
                .arg(scale(h, ho, alignCorners))
                .arg(scale(w, wo, alignCorners))
                .arg(alignCorners ? 1 : 0)
                .arg(n * ho);
        long outs = (long) n * ho * wo * c;
        CpuGrid g = cpu
                ? CpuGrid.of(ctx.info(), wo, (long) n * ho)
                : CpuGrid.orDriver(ctx.info(), c / vw, wo, (long) n * ho);
        // four taps read per output; on a device with caches the input is read about once
        return new Launch(
                k,
                g.global(),
                g.local(),
                "resize",
                8L * outs,
                (long) ctx.precision().elementBytes() * ((long) n * h * w * c + outs));
    }

    /** Float bytes of the intermediate {@link #bilinearToNchw} needs: the input blended along the width. */
    public static long toNchwScratchBytes(int n, int h, int c, int wo) {
        return 4L * n * h * c * wo;
    }

    /**
     * out [n, c, ho, wo] as floats = the bilinear resize of in [n, h, w, c], in two launches
     * through {@code t} ({@link #toNchwScratchBytes} bytes): a final map written in the layout the
     * host reads, in any storage precision.
     */
    public static List<Launch> bilinearToNchw(
            ClContext ctx,
            ClBuffer in,
            ClBuffer t,
            ClBuffer out,
            int n,
            int h,
            int w,
            int c,
            int ho,
            int wo,
            boolean alignCorners) {
        ClKernel rows = ctx.kernel(Map.of(), "resize_rows_nchw", "resize.cl");
        rows.arg(in)
                .arg(t)
                .arg(h)
                .arg(w)
                .arg(c)
                .arg(wo)
                .arg(scale(w, wo, alignCorners))
                .arg(alignCorners ? 1 : 0)
                .arg(n * h);
        ClKernel cols = ctx.kernel(Map.of(), "resize_cols_nchw", "resize.cl");
        cols.arg(t)
                .arg(out)
                .arg(h)
                .arg(c)
                .arg(ho)
                .arg(wo)
                .arg(scale(h, ho, alignCorners))
                .arg(alignCorners ? 1 : 0)
                .arg(n * c);
        long mid = (long) n * h * wo * c, outs = (long) n * ho * wo * c;
        long chunks = (wo + 15) / 16;
        CpuGrid g1 = CpuGrid.orDriver(ctx.info(), chunks, (long) n * h);
        CpuGrid g2 = CpuGrid.orDriver(ctx.info(), chunks, ho, (long) n * c);
        return List.of(
                new Launch(
                        rows,
                        g1.global(),
                        g1.local(),
                        "resize",
                        3L * mid,
                        (long) ctx.precision().elementBytes() * n * h * w * c + 4L * mid),
                new Launch(cols, g2.global(), g2.local(), "resize", 3L * outs, 4L * mid + 4L * outs));
    }
}
