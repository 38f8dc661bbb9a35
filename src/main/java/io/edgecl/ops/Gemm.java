package io.edgecl.ops;

import io.edgecl.cl.ClBuffer;
import io.edgecl.cl.ClContext;
import io.edgecl.cl.ClKernel;
import java.util.HashMap;
import java.util.Map;

/**
 * C[M, N] = epilogue(A[M, K] · B[K, N]): 1x1 convolutions and Linear layers over NHWC rows,
 * with bias, activation, layer scale and residual fused into the store (kernels-cl/gemm.cl).
 */
public final class Gemm {
    /** Tile shape (must match the kernel's GEMM_* defaults unless passed as defines). */
    static final int TM = 32, TN = 32, WM = 4, WN = 4;

    /** Rows per work-item of the register-only variant (GEMMV_RM). */
    static final int ROWS_RM = 4;

    /** Forces a variant: -Dedgecl.gemm=tiled|rows (default: rows on CPU devices, tiled elsewhere). */
    public static final String VARIANT_PROPERTY = "edgecl.gemm";

    private Gemm() {}

    /**
     * CPU OpenCL runtimes run local-memory tiles through barrier emulation, which costs more than
     * the reuse saves; GPUs want the tiles.
     */
    static boolean useRowsVariant(ClContext ctx) {
        String v = System.getProperty(VARIANT_PROPERTY, "");
        if (v.equals("rows")) return true;
        if (v.equals("tiled")) return false;
        return ctx.info().type().equals("CPU");
    }

    /**
     * @param bias  [N] or null
     * @param gamma [N] layer scale or null
     * @param residual [M, ldc] added after the scale, or null; may be the same buffer as C
     */
    public static Launch create(ClContext ctx, ClBuffer a, ClBuffer b, ClBuffer bias, ClBuffer gamma,
                                ClBuffer residual, ClBuffer c, int m, int n, int k, int lda, int ldc, Act act) {
        return create(ctx, a, b, bias, gamma, residual, c, m, n, k, lda, ldc, act, null, 1);
    }

    /**
     * With a squeeze-excite gate: A[m, k] is read as A[m, k] * gate[m / gateRows, k]
     * ({@code gate} [images, K], {@code gateRows} = rows per image), or no gate when null.
     */
    public static Launch create(ClContext ctx, ClBuffer a, ClBuffer b, ClBuffer bias, ClBuffer gamma,
                                ClBuffer residual, ClBuffer c, int m, int n, int k, int lda, int ldc, Act act,
                                ClBuffer gate, int gateRows) {
        Map<String, String> d = new HashMap<>();
        d.put("HAS_GATE", gate != null ? "1" : "0");
        d.put("HAS_BIAS", bias != null ? "1" : "0");
        d.put("ACT", act.macro());
        d.put("HAS_GAMMA", gamma != null ? "1" : "0");
        d.put("HAS_RESIDUAL", residual != null ? "1" : "0");
        boolean rows = useRowsVariant(ctx);
        ClKernel kern = ctx.program(d, "gemm.cl").kernel(rows ? "gemm_rows" : "gemm");
        ClBuffer ph = ctx.placeholder();
        kern.arg(0, a).arg(1, b).arg(2, bias != null ? bias : ph).arg(3, gamma != null ? gamma : ph)
                .arg(4, residual != null ? residual : ph).arg(5, c)
                .arg(6, m).arg(7, n).arg(8, k).arg(9, lda).arg(10, ldc)
                .arg(11, gate != null ? gate : ph).arg(12, Math.max(1, gateRows));
        long[] local = rows ? null : new long[] {TN / WN, TM / WM};
        long[] global = rows ? new long[] {n, (m + ROWS_RM - 1) / ROWS_RM}
                : new long[] {Launch.roundUp(n, TN) / WN, Launch.roundUp(m, TM) / WM};
        long flops = 2L * m * n * k;
        long bytes = 4L * ((long) m * k + (long) k * n + (long) m * n * (residual != null ? 2 : 1));
        return new Launch(kern, global, local, "gemm", flops, bytes);
    }
}
