package io.edgecl.ops;

import io.edgecl.EdgeClException;
import io.edgecl.cl.ClBuffer;
import io.edgecl.cl.ClContext;
import io.edgecl.cl.ClKernel;
import java.util.List;
import java.util.Map;

/**
 * Multi-head softmax self-attention over a qkv projection (kernels-cl/attention.cl, kernels
 * mhsa, or mhsa_pack + mhsa_kc), with tokens grouped by their position inside patchH × patchW
 * patches.
 */
public final class Attention {
    /** Largest head dimension the kernel keeps in private registers. */
    public static final int MAX_HEAD_DIM = 128;

    private Attention() {}

    /** Keys per chunk of the packed variant (MHSA_KC). */
    static final int KC = 16;

    /**
     * The kernels: {@code DIRECT} (mhsa, an online softmax per key, any device), {@code PACKED}
     * (mhsa_pack + mhsa_kc: keys and values transposed into a scratch, then walked 16 at a time
     * in explicit vectors, one query per work-item; for CPU runtimes, whose compilers vectorise
     * explicit vectors only) or {@code BLOCKED} (mhsa_pack_tv + mhsa_qb: values kept token-major
     * and {@link #QB} queries per work-item, so each chunk of keys and values is loaded once for
     * all of them).
     */
    public enum Variant {
        DIRECT,
        PACKED,
        BLOCKED
    }

    /**
     * Queries per work-item (MH_QB) and 16-key vectors per softmax step (MH_KV) of the blocked
     * variant: measured on MobileViT-XXS and EdgeViT-XXS against 2 and 8 queries and 1, 2 and 8
     * vectors (a longer step spreads the rescale and its scalar exp over more keys).
     */
    static final int QB = 4, KV = 4;

    /**
     * The forced or tuned variant, else the device default; a default of {@code BLOCKED} holds for
     * head dims up to 64 (its queries' registers), {@code DIRECT} above.
     */
    public static Variant variant(OpChoices choices, ClContext ctx, int headDim) {
        return choices.get(KernelFamily.ATTENTION).orElseGet(() -> {
            Variant d = KernelDefaults.get(ctx.info(), KernelFamily.ATTENTION);
            return d == Variant.BLOCKED && headDim > 64 ? Variant.DIRECT : d;
        });
    }

    /** Tokens per group rounded up to whole chunks. */
    static int paddedTokens(Variant v, int h, int w, int patchH, int patchW) {
        int t = (h / patchH) * (w / patchW);
        int kc = v == Variant.BLOCKED ? KC * KV : KC;
        return (t + kc - 1) / kc * kc;
    }

    /**
     * Scratch bytes the variant needs (0 for DIRECT): the keys and values of every group as
     * floats, the blocked variant's values rows padded to whole 16-float vectors.
     */
    public static long scratchBytes(Variant v, int n, int h, int w, int channels, int heads, int patchH, int patchW) {
        if (v == Variant.DIRECT) return 0;
        long slots = (long) n * patchH * patchW * paddedTokens(v, h, w, patchH, patchW);
        if (v == Variant.PACKED) return 2L * 4 * slots * channels;
        return 4L * slots * (channels + (long) heads * valueRow(channels / heads));
    }

    /** Floats per value row of the blocked variant: the head dimension rounded up to whole 16-float vectors. */
    static int valueRow(int headDim) {
        return (headDim + 15) / 16 * 16;
    }

    /** The attention's launches; {@code scratch} holds {@link #scratchBytes} (null for DIRECT). */
    public static List<Launch> selfAttention(
            ClContext ctx,
            ClBuffer qkv,
            ClBuffer out,
            ClBuffer scratch,
            int n,
            int h,
            int w,
            int channels,
            int heads,
            float scale,
            int patchH,
            int patchW,
            Variant variant) {
        int d = channels / heads;
        check(h, w, channels, heads, patchH, patchW);
        if (variant == Variant.DIRECT)
            return List.of(selfAttention(ctx, qkv, out, n, h, w, channels, heads, scale, patchH, patchW));
        int tp = paddedTokens(variant, h, w, patchH, patchW);
        int groups = patchH * patchW;
        int vOff = n * groups * channels * tp;
        long tokens = (long) h * w;
        long group = tokens / groups;
        long e = ctx.precision().elementBytes();
        long kvBytes = scratchBytes(variant, n, h, w, channels, heads, patchH, patchW);
        long flops = 4L * n * tokens * group * channels;
        if (variant == Variant.BLOCKED) {
            var prog = ctx.program(
                    Map.of("HEAD_DIM", String.valueOf(d), "MH_QB", String.valueOf(QB), "MH_KV", String.valueOf(KV)),
                    List.of("mhsa_pack_tv", "mhsa_qb"),
                    "attention.cl");
            int b = n * groups * heads;
            ClKernel pack = prog.kernel("mhsa_pack_tv");
            pack.arg(qkv)
                    .arg(scratch)
                    .arg(h)
                    .arg(w)
                    .arg(channels)
                    .arg(patchH)
                    .arg(patchW)
                    .arg(tp)
                    .arg(vOff)
                    .arg(b);
            ClKernel att = prog.kernel("mhsa_qb");
            att.arg(qkv)
                    .arg(scratch)
                    .arg(out)
                    .arg(h)
                    .arg(w)
                    .arg(channels)
                    .arg(scale)
                    .arg(patchH)
                    .arg(patchW)
                    .arg(tp)
                    .arg(vOff)
                    .arg(n)
                    .arg(3 * channels)
                    .arg(heads)
                    .arg((int) group);
            CpuGrid gp = CpuGrid.orDriver(ctx.info(), tp, b);
            CpuGrid ga = CpuGrid.orDriver(ctx.info(), (group + QB - 1) / QB, (long) groups * heads, n);
            return List.of(
                    new Launch(
                            pack,
                            gp.global(),
                            gp.local(),
                            "self_attention",
                            0,
                            e * n * tokens * 2 * channels + kvBytes),
                    new Launch(
                            att,
                            ga.global(),
                            ga.local(),
                            "self_attention",
                            flops,
                            e * n * tokens * 2 * channels + kvBytes));
        }
        var prog = ctx.program(
                Map.of("HEAD_DIM", String.valueOf(d), "MHSA_KC", String.valueOf(KC)),
                List.of("mhsa_pack", "mhsa_kc"),
                "attention.cl");
        ClKernel pack = prog.kernel("mhsa_pack");
        pack.arg(qkv)
                .arg(scratch)
                .arg(h)
                .arg(w)
                .arg(channels)
                .arg(patchH)
                .arg(patchW)
                .arg(tp)
                .arg(vOff);
        ClKernel att = prog.kernel("mhsa_kc");
        att.arg(qkv)
                .arg(scratch)
                .arg(out)
                .arg(h)
                .arg(w)
                .arg(channels)
                .arg(scale)
                .arg(patchH)
                .arg(patchW)
                .arg(tp)
                .arg(vOff);
        return List.of(
                new Launch(
                        pack,
                        new long[] {tp, d, (long) n * groups * heads},
                        null,
                        "self_attention",
                        0,
                        e * n * tokens * 2 * channels + kvBytes),
                new Launch(
                        att,
                        new long[] {group, (long) groups * heads, n},
                        null,
                        "self_attention",
                        flops,
                        e * n * tokens * 2 * channels + kvBytes));
    }

    private static void check(int h, int w, int channels, int heads, int patchH, int patchW) {
        int d = channels / heads;
        if (d * heads != channels || d > MAX_HEAD_DIM) {
            throw new EdgeClException("attention with " + channels + " channels and " + heads
                    + " heads: head dimension must divide the channels and be at most " + MAX_HEAD_DIM);
        }
        if (h % patchH != 0 || w % patchW != 0) {
            throw new EdgeClException("attention over " + h + "x" + w + " tokens needs a multiple of the " + patchH
                    + "x" + patchW + " patch");
        }
    }

    /** The direct variant: one launch, no scratch. */
    public static Launch selfAttention(
            ClContext ctx,
            ClBuffer qkv,
            ClBuffer out,
            int n,
            int h,
            int w,
            int channels,
            int heads,
            float scale,
            int patchH,
            int patchW) {
        int d = channels / heads;
        check(h, w, channels, heads, patchH, patchW);
        ClKernel k = ctx.kernel(Map.of("HEAD_DIM", String.valueOf(d)), "mhsa", "attention.cl");
        k.arg(qkv).arg(out).arg(h).arg(w).arg(channels).arg(scale).arg(patchH).arg(patchW);
        long tokens = (long) h * w;
        long group = tokens / ((long) patchH * patchW);
        return new Launch(
                k,
                new long[] {group, (long) patchH * patchW * heads, n},
                null,
                "self_attention",
                4L * n * tokens * group * channels,
                (long) ctx.precision().elementBytes()
                        * ((long) n * tokens * 3 * channels * (1 + group / Math.max(1, 64))
                                + (long) n * tokens * channels));
    }

    /**
     * Scratch bytes multi-query attention needs in {@code variant} (0 for DIRECT): the keys and
     * values of each image as floats, padded to whole steps of keys and whole value vectors.
     */
    public static long multiQueryScratchBytes(Variant variant, int n, int keys, int headDim) {
        // the keys and values of one image are one group of one head
        return scratchBytes(variant, n, 1, keys, headDim, 1, 1, 1);
    }

    /**
     * Where multi-query attention finds its operands: queries rows {@code qStride} apart (heads × d
     * channels from channel 0), keys and values rows {@code kvStride} apart at channels
     * {@code kOff} and {@code vOff} of their buffers (separate tensors, or the [q | k | v] tensor
     * of one projection).
     */
    public record MqaLayout(int qStride, int kvStride, int kOff, int vOff) {}

    /**
     * Multi-query attention: queries [n, l, heads × d] over one key and one value head of m tokens
     * shared by every query head, to [n, l, heads × d]. DIRECT: kernel mqa, one launch, no
     * scratch; otherwise (CPU runtimes) mqa_pack_tv packs the keys and values into
     * {@code scratch} ({@link #multiQueryScratchBytes}) and the blocked self-attention kernel
     * mhsa_qb runs every query head over them.
     */
    public static List<Launch> multiQuery(
            ClContext ctx,
            ClBuffer q,
            ClBuffer k,
            ClBuffer v,
            ClBuffer out,
            ClBuffer scratch,
            int n,
            int qh,
            int qw,
            int keys,
            int heads,
            int headDim,
            float scale,
            MqaLayout layout,
            Variant variant) {
        if (headDim > MAX_HEAD_DIM) {
            throw new EdgeClException(
                    "multi-query attention with head dimension " + headDim + ": at most " + MAX_HEAD_DIM);
        }
        long queries = (long) qh * qw, c = (long) heads * headDim;
        long flops = 4L * n * queries * keys * c;
        long e = ctx.precision().elementBytes();
        long bytes = e * n * (2L * queries * c + 2L * keys * headDim);
        if (variant == Variant.DIRECT) {
            ClKernel kr = ctx.kernel(Map.of("HEAD_DIM", String.valueOf(headDim)), "mqa", "attention.cl");
            kr.arg(q)
                    .arg(k)
                    .arg(v)
                    .arg(out)
                    .arg((int) queries)
                    .arg(keys)
                    .arg(heads)
                    .arg(scale);
            kr.arg(layout.qStride()).arg(layout.kvStride()).arg(layout.kOff()).arg(layout.vOff());
            return List.of(new Launch(kr, new long[] {queries, heads, n}, null, "multi_query_attention", flops, bytes));
        }
        int tp = paddedTokens(Variant.BLOCKED, 1, keys, 1, 1);
        int vOff = n * headDim * tp;
        var prog = ctx.program(
                Map.of("HEAD_DIM", String.valueOf(headDim), "MH_QB", String.valueOf(QB), "MH_KV", String.valueOf(KV)),
                List.of("mqa_pack_tv", "mhsa_qb"),
                "attention.cl");
        ClKernel pack = prog.kernel("mqa_pack_tv");
        pack.arg(k).arg(v).arg(scratch).arg(keys).arg(tp).arg(vOff).arg(n);
        pack.arg(layout.kvStride()).arg(layout.kOff()).arg(layout.vOff());
        ClKernel att = prog.kernel("mhsa_qb");
        att.arg(q)
                .arg(scratch)
                .arg(out)
                .arg(qh)
                .arg(qw)
                .arg((int) c)
                .arg(scale)
                .arg(1)
                .arg(1)
                .arg(tp)
                .arg(vOff)
                .arg(n)
                .arg(layout.qStride())
                .arg(1)
                .arg(keys);
        CpuGrid gp = CpuGrid.orDriver(ctx.info(), tp, n);
        CpuGrid ga = CpuGrid.orDriver(ctx.info(), (queries + QB - 1) / QB, heads, n);
        long kvBytes = multiQueryScratchBytes(variant, n, keys, headDim);
        return List.of(
                new Launch(
                        pack,
                        gp.global(),
                        gp.local(),
                        "multi_query_attention",
                        0,
                        e * n * 2L * keys * headDim + kvBytes),
                new Launch(att, ga.global(), ga.local(), "multi_query_attention", flops, bytes + kvBytes));
    }
}
