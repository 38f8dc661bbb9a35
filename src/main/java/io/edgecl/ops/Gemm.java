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

    /** Rows per work-item of the register-only variants (GEMMV_RM, GEMMB_RM). */
    static final int ROWS_RM = 4, BLOCK_RM = 4;

    /** Forces a variant: -Dedgecl.gemm=tiled|rows|block (default: block on CPU devices, tiled elsewhere). */
    public static final String VARIANT_PROPERTY = "edgecl.gemm";

    /** The kernel variants of gemm.cl. */
    public enum Variant {
        /** Local-memory tiles, for GPUs. */
        TILED("gemm"),
        /** One column × 4 rows per work-item, registers only. */
        ROWS("gemm_rows"),
        /** 4 rows × 4 columns per work-item with vector loads, registers only (CPU runtimes). */
        BLOCK("gemm_block");

        final String kernel;

        Variant(String kernel) {
            this.kernel = kernel;
        }
    }

    private Gemm() {}

    /**
     * CPU OpenCL runtimes run local-memory tiles through barrier emulation, which costs more than
     * the reuse saves; GPUs want the tiles.
     */
    static Variant variant(ClContext ctx) {
        String v = System.getProperty(VARIANT_PROPERTY, "");
        if (!v.isEmpty()) {
            try {
                return Variant.valueOf(v.toUpperCase(java.util.Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new io.edgecl.EdgeClException("-D" + VARIANT_PROPERTY + "=" + v + ": use tiled, rows or block");
            }
        }
        return ctx.info().type().equals("CPU") ? Variant.BLOCK : Variant.TILED;
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
        Variant v = variant(ctx);
        ClKernel kern = ctx.program(d, "gemm.cl").kernel(v.kernel);
        ClBuffer ph = ctx.placeholder();
        kern.arg(0, a).arg(1, b).arg(2, bias != null ? bias : ph).arg(3, gamma != null ? gamma : ph)
                .arg(4, residual != null ? residual : ph).arg(5, c)
                .arg(6, m).arg(7, n).arg(8, k).arg(9, lda).arg(10, ldc)
                .arg(11, gate != null ? gate : ph).arg(12, Math.max(1, gateRows));
        long[] local;
        long[] global;
        switch (v) {
            case ROWS:
                local = null;
                global = new long[] {n, (m + ROWS_RM - 1) / ROWS_RM};
                break;
            case BLOCK:
                local = null;
                global = new long[] {(n + 3) / 4, (m + BLOCK_RM - 1) / BLOCK_RM};
                break;
            default:
                local = new long[] {TN / WN, TM / WM};
                global = new long[] {Launch.roundUp(n, TN) / WN, Launch.roundUp(m, TM) / WM};
        }
        long flops = 2L * m * n * k;
        long bytes = 4L * ((long) m * k + (long) k * n + (long) m * n * (residual != null ? 2 : 1));
        return new Launch(kern, global, local, "gemm", flops, bytes);
    }
}
