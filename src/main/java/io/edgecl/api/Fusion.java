package io.edgecl.api;

import io.edgecl.graph.FusionRule;
import java.util.EnumSet;
import java.util.Set;

/**
 * The scheduler's fusion rules, by the names {@code --no-fuse} takes: each replaces a sequence
 * of ops inside a block by one op whose kernel does all of it ({@link
 * SessionOptions#withoutFusion} switches rules off; all of them gives the unfused graph).
 */
public enum Fusion {
    CONV_ACT(FusionRule.CONV_ACT),
    GEMM_ACT(FusionRule.GEMM_ACT),
    SE_GATE(FusionRule.SE_GATE),
    EXPAND_DW(FusionRule.EXPAND_DW),
    SE_EXCITE(FusionRule.SE_EXCITE),
    SE_POOL(FusionRule.SE_POOL),
    GEMM_SCALE_RESIDUAL(FusionRule.GEMM_SCALE_RESIDUAL),
    DW_GEMM(FusionRule.DW_GEMM),
    DWCONV_LN(FusionRule.DWCONV_LN),
    SDTA_CASCADE(FusionRule.SDTA_CASCADE),
    ATTENTION(FusionRule.ATTENTION);

    final FusionRule rule;

    Fusion(FusionRule rule) {
        this.rule = rule;
    }

    /** The rule's name: "conv-act", "gemm-act", "se-gate", ... */
    public String id() {
        return rule.id();
    }

    /** The op sequence it replaces, e.g. "Gemm → Activation". */
    public String matches() {
        return rule.matches();
    }

    /** What replaces the sequence. */
    public String produces() {
        return rule.produces();
    }

    @Override
    public String toString() {
        return id();
    }

    /** Every rule (switching all of them off runs the unfused graph). */
    public static Set<Fusion> all() {
        return EnumSet.allOf(Fusion.class);
    }

    /** The rule named {@code id} (or its enum name); the error lists the valid names. */
    public static Fusion parse(String id) {
        return valueOf(FusionRule.parse(id).name());
    }

    /** Comma-separated names, for messages and help. */
    public static String ids() {
        return FusionRule.ids();
    }

    static Set<FusionRule> rules(Set<Fusion> fusions) {
        Set<FusionRule> out = EnumSet.noneOf(FusionRule.class);
        for (Fusion f : fusions) out.add(f.rule);
        return out;
    }
}
