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

    public static List<Launch> create(
            ClContext ctx,
            ClBuffer qkv,
            ClBuffer temperature,
            ClBuffer scratch,
            ClBuffer out,
            int n,
            int tokens,
            int channels,
            int heads) {
        int d = channels / heads;
        var prog = ctx.program(Map.of(), List.of("xca_scores", "softmax_rows", "xca_apply"), "attention.cl");
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
                new Launch(
                        scores,
                        new long[] {d, d, (long) n * heads},
                        null,
                        "xca_scores",
                        6L * dd * tokens,
                        e * dd * tokens * 2 + 4L * dd),
                new Launch(softmax, new long[] {rows}, null, "softmax", 4L * dd, 4L * 2 * dd),
                new Launch(
                        apply,
                        new long[] {channels, tokens, n},
                        null,
                        "xca_apply",
                        2L * nt * channels * d,
                        e * nt * channels * 2 + 4L * dd));
    }

    /**
     * The forms of the fused op: {@code GEMM} (three launches of small GEMMs over token chunks,
     * {@link #createGemm}), {@code ITEM} (one work-item per (image, head), xca_cpu) or {@code GROUP}
     * (one work-group per (image, head), xca_fused).
     */
    public enum Form {
        GEMM,
        ITEM,
        GROUP
    }

    /**
     * The form of the fused op on this device: the forced or tuned one, else the device default,
     * each where it can run. The gemm form loads a head's k channels as whole vectors, whose lanes
     * past the head read on into the same token's row; it needs that row to be long enough (vector
     * width - head dim <= C), else item runs; item keeps a head in registers up to 64 channels,
     * else group runs.
     */
    public static Form form(OpChoices choices, ClContext ctx, int channels, int heads) {
        Form f = choices.resolve(KernelFamily.XCA, ctx.info());
        int d = channels / heads, vw = panelWidth(ctx);
        boolean gemmFits = (d + vw - 1) / vw * vw - d <= channels;
        if (f == Form.GROUP) return Form.GROUP;
        if (f == Form.GEMM && gemmFits) return Form.GEMM;
        return d <= 64 ? Form.ITEM : Form.GROUP;
    }

    /** Rows of the Gram matrix per work-item: all of them up to 16 (one vector row each), else 8. */
    static int gramRows(int headDim) {
        return headDim <= 16 ? headDim : 8;
    }

    /** Token chunks of the Gram step: enough work-items for every core, at least 32 tokens each. */
    static int gramChunks(ClContext ctx, int n, int tokens, int heads, int headDim) {
        int items = n * heads * ((headDim + gramRows(headDim) - 1) / gramRows(headDim));
        int want = Math.max(
                1, (CpuGrid.GROUPS_PER_UNIT * 2 * Math.max(1, ctx.info().computeUnits()) + items - 1) / items);
        return Math.max(1, Math.min(want, (tokens + 31) / 32));
    }

    /** The panel width of the gemm form (one vector of the device's widest width). */
    static int panelWidth(ClContext ctx) {
        return Gemm.panelVector(ctx, 16);
    }

    /** Scratch of the gemm form: the partial sums (floats) and the packed block-diagonal B (stored precision). */
    public static long[] gemmScratchBytes(ClContext ctx, int n, int tokens, int channels, int heads) {
        int d = channels / heads, vw = panelWidth(ctx);
        int nb = (d + vw - 1) / vw;
        long part = (long) d * nb * vw + d + (long) nb * vw;
        long parts = 4L * n * heads * gramChunks(ctx, n, tokens, heads, d) * part;
        long panels = (channels + vw - 1) / vw;
        return new long[] {parts, (long) ctx.precision().elementBytes() * n * panels * channels * vw};
    }

    /**
     * The gemm form (attention.cl, which includes panel.h.cl): Gram partial sums over token chunks, the
     * softmax written as a packed block-diagonal matrix, and attention × v on the panel
     * micro-kernel. {@code parts} and {@code packed} are sized by {@link #gemmScratchBytes};
     * {@code packed} must start as zeros (only its diagonal blocks are written).
     */
    public static List<Launch> createGemm(
            ClContext ctx,
            ClBuffer qkv,
            ClBuffer temperature,
            ClBuffer parts,
            ClBuffer packed,
            ClBuffer out,
            int n,
            int tokens,
            int channels,
            int heads) {
        int d = channels / heads, vw = panelWidth(ctx), rows = 8;
        int rm = gramRows(d), chunks = gramChunks(ctx, n, tokens, heads, d);
        int chunk = (tokens + chunks - 1) / chunks;
        Map<String, String> gramDefs = Map.of(
                "XCA_D",
                String.valueOf(d),
                "XG_RM",
                String.valueOf(rm),
                "PANEL_VW",
                String.valueOf(vw),
                "PANEL_NB",
                "1",
                "PANEL_RM",
                String.valueOf(rows));
        var prog = ctx.program(gramDefs, List.of("xca_gram", "xca_attn"), "attention.cl");
        ClKernel gram = prog.kernel("xca_gram");
        gram.arg(qkv)
                .arg(parts)
                .arg(tokens)
                .arg(channels)
                .arg(heads)
                .arg(chunk)
                .arg(chunks)
                .arg(n);
        ClKernel attn = prog.kernel("xca_attn");
        attn.arg(parts).arg(temperature).arg(packed).arg(channels).arg(heads).arg(chunks);
        // the apply kernel takes the head dimension as an argument: one program for every stage
        ClKernel apply = ctx.kernel(
                Map.of("PANEL_VW", String.valueOf(vw), "PANEL_NB", "1", "PANEL_RM", String.valueOf(rows)),
                "xca_apply_panel",
                "attention.cl");
        apply.arg(qkv).arg(packed).arg(out).arg(tokens).arg(channels).arg(n).arg(d);
        long e = ctx.precision().elementBytes();
        long nt = (long) n * tokens, dd = (long) n * heads * d * d;
        long blocks = (long) heads * ((d + rm - 1) / rm);
        CpuGrid g1 = CpuGrid.orDriver(ctx.info(), blocks, (long) n * chunks);
        CpuGrid g3 = CpuGrid.orDriver(ctx.info(), (channels + vw - 1) / vw, (long) n * ((tokens + rows - 1) / rows));
        return List.of(
                new Launch(
                        gram,
                        g1.global(),
                        g1.local(),
                        "channel_attention",
                        2L * dd * tokens + 4L * nt * channels,
                        e * nt * 2 * channels + parts.bytes()),
                new Launch(
                        attn,
                        new long[] {(long) heads * d, n},
                        null,
                        "channel_attention",
                        6L * dd,
                        parts.bytes() + e * dd),
                new Launch(
                        apply,
                        g3.global(),
                        g3.local(),
                        "channel_attention",
                        2L * nt * channels * d,
                        e * (2 * nt * channels + dd)));
    }

    /** The fused kernel's work-group (XCA_WG in attention.cl). */
    static WorkGroup workGroup(ClContext ctx) {
        return WorkGroup.of("XCA_WG", 64, ctx.info());
    }

    /**
     * The same computation in one launch, in {@code form} {@code ITEM} (a work-item per (image,
     * head)) or {@code GROUP} (a work-group per (image, head)).
     */
    public static Launch createFused(
            ClContext ctx,
            Form form,
            ClBuffer qkv,
            ClBuffer temperature,
            ClBuffer scratch,
            ClBuffer out,
            int n,
            int tokens,
            int channels,
            int heads) {
        int d = channels / heads;
        long nt = (long) n * tokens;
        long dd = (long) n * heads * d * d;
        long flops = 2L * dd * tokens + 4L * nt * channels + 4L * dd + 2L * nt * channels * d;
        if (form == Form.GEMM) throw new IllegalArgumentException("the gemm form is createGemm");
        if (form == Form.ITEM) {
            ClKernel k = ctx.kernel(Map.of("XCA_D", String.valueOf(d)), "xca_cpu", "attention.cl");
            k.arg(qkv).arg(temperature).arg(out).arg(tokens).arg(channels).arg(heads);
            return new Launch(
                    k,
                    new long[] {(long) n * heads},
                    null,
                    "channel_attention",
                    flops,
                    (long) ctx.precision().elementBytes() * (nt * 3 * channels + nt * channels));
        }
        WorkGroup wg = workGroup(ctx);
        ClKernel k = ctx.kernel(wg.defines(), "xca_fused", "attention.cl");
        k.arg(qkv)
                .arg(temperature)
                .arg(scratch)
                .arg(out)
                .arg(tokens)
                .arg(channels)
                .arg(heads)
                .local(8L * d);
        return new Launch(
                k,
                new long[] {(long) wg.size() * n * heads},
                new long[] {wg.size()},
                "channel_attention",
                flops,
                (long) ctx.precision().elementBytes() * (nt * 3 * channels + nt * channels) + 8L * dd);
    }
}
