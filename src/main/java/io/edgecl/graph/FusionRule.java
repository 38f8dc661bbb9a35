package io.edgecl.graph;

import io.edgecl.EdgeClException;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The fusion rules, in the order the scheduler applies them: each names the op sequence it
 * matches, the op it leaves in its place, and how it rewrites a block. Every rule shares one
 * legality check ({@link FusionScheduler#soleConsumer}: the intermediate has a single consumer,
 * in the same block, and is not a graph output), and each can be switched off by its id
 * ({@code --no-fuse=ID}), so the profiler shows what it buys and the tests check fused == unfused.
 */
public enum FusionRule {
    /** Folds a following activation into a conv, depthwise conv, BatchNorm affine or add. */
    CONV_ACT(
            "conv-act",
            "Conv|DwConv|Affine|Add → Activation",
            "the first op, activation in its store",
            FusionScheduler::convAct),
    /** Folds a following activation into the GEMM's store. */
    GEMM_ACT("gemm-act", "Gemm → Activation", "Gemm with an activation epilogue", FusionScheduler::gemmAct),
    /** Applies a squeeze-excite gate while the next GEMM reads its input. */
    SE_GATE("se-gate", "ChannelGate → Gemm", "gated Gemm (gate in the prologue)", FusionScheduler::seGate),
    /**
     * An inverted-residual block's expansion GEMM and the depthwise conv after it in one kernel,
     * the expanded tensor never written.
     */
    EXPAND_DW(
            "expand-dw", "Gemm → DwConv", "ExpandDw (the expanded tile in private memory)", FusionScheduler::expandDw),
    /** A squeeze-excite gate (global pool, reducing and expanding 1x1 convs) in one launch. */
    SE_EXCITE("se-excite", "AvgPool → Gemm → Gemm (a squeeze-excite gate)", "SqueezeExcite", FusionScheduler::seExcite),
    /**
     * The squeeze-excite pool's partial sums written by the kernel that stores the tensor the
     * gate pools (the fused inverted-residual kernel, or the depthwise conv): no pass of the
     * pool over that tensor.
     */
    SE_POOL(
            "se-pool",
            "ExpandDw|DwConv → SqueezeExcite",
            "ExpandDw|DwConv writing the pool's partial sums (SqueezeExcite reads them)",
            FusionScheduler::sePool),
    /** Folds layer scale and residual add into the GEMM's store. */
    GEMM_SCALE_RESIDUAL(
            "gemm-scale-residual",
            "Gemm → ScaleAdd|Add",
            "Gemm with scale and residual epilogue",
            FusionScheduler::gemmScaleResidual),
    /**
     * A depthwise conv and the 1x1 conv that reads it in one kernel, the depthwise output never
     * written (after gemm-act and gemm-scale-residual, so the 1x1 conv's epilogue is whole).
     */
    DW_GEMM(
            "dw-gemm",
            "DwConv → Gemm",
            "DwGemm (a few pixels' depthwise output in private memory)",
            FusionScheduler::dwGemm),
    /** Depthwise conv + LayerNorm over channels in one kernel. */
    DWCONV_LN("dwconv-ln", "DwConv → LayerNorm", "DwConvLayerNorm", FusionScheduler::dwconvLn),
    /** The SDTA cascade of depthwise convs (and the positional encoding after it) in one kernel. */
    SDTA_CASCADE(
            "sdta-cascade",
            "SplitCascade [→ AddConst]",
            "packed SplitCascade (+ positional encoding)",
            FusionScheduler::cascade),
    /** Channel attention (norms, scores, softmax, × v) in one kernel per (image, head). */
    ATTENTION(
            "attention", "ChannelAttention (3 launches)", "ChannelAttention in one launch", FusionScheduler::attention);

    /** Rewrites one block; returns the number of nodes removed. */
    interface Rewrite {
        int apply(Graph g, Block b);
    }

    private final String id;
    private final String matches;
    private final String produces;
    final Rewrite rewrite;

    FusionRule(String id, String matches, String produces, Rewrite rewrite) {
        this.id = id;
        this.matches = matches;
        this.produces = produces;
        this.rewrite = rewrite;
    }

    /** The name users give to {@code --no-fuse}. */
    public String id() {
        return id;
    }

    /** The op sequence the rule matches, e.g. "DwConv → LayerNorm". */
    public String matches() {
        return matches;
    }

    /** What replaces the sequence. */
    public String produces() {
        return produces;
    }

    @Override
    public String toString() {
        return id;
    }

    /** Every rule (an unfused graph disables all of them). */
    public static Set<FusionRule> all() {
        return EnumSet.allOf(FusionRule.class);
    }

    /** The rule named {@code id} (or its enum name); the error lists the valid ids. */
    public static FusionRule parse(String id) {
        for (FusionRule r : values()) {
            if (r.id.equals(id) || r.name().equals(id.toUpperCase(Locale.ROOT).replace('-', '_'))) return r;
        }
        throw new EdgeClException("unknown fusion rule '" + id + "' (rules: " + ids() + ")");
    }

    /** Comma-separated ids, for messages and help. */
    public static String ids() {
        return List.of(values()).stream().map(FusionRule::id).collect(Collectors.joining(", "));
    }
}
