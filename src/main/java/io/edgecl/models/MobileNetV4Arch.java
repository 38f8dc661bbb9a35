package io.edgecl.models;

/**
 * The architecture strings of timm's MobileNetV4 generator (_gen_mobilenet_v4): the conv
 * networks (small, medium, large) and the hybrids (medium, large) with their mobile multi-query
 * attention blocks. The anti-aliased variants use the conv networks' strings.
 */
final class MobileNetV4Arch {
    private MobileNetV4Arch() {}

    private static final String[][] CONV_SMALL = {
        {"cn_r1_k3_s2_e1_c32", "cn_r1_k1_s1_e1_c32"},
        {"cn_r1_k3_s2_e1_c96", "cn_r1_k1_s1_e1_c64"},
        {"uir_r1_a5_k5_s2_e3_c96", "uir_r4_a0_k3_s1_e2_c96", "uir_r1_a3_k0_s1_e4_c96"},
        {
            "uir_r1_a3_k3_s2_e6_c128",
            "uir_r1_a5_k5_s1_e4_c128",
            "uir_r1_a0_k5_s1_e4_c128",
            "uir_r1_a0_k5_s1_e3_c128",
            "uir_r2_a0_k3_s1_e4_c128"
        },
        {"cn_r1_k1_s1_c960"}
    };

    private static final String[][] CONV_MEDIUM = {
        {"er_r1_k3_s2_e4_c48"},
        {"uir_r1_a3_k5_s2_e4_c80", "uir_r1_a3_k3_s1_e2_c80"},
        {
            "uir_r1_a3_k5_s2_e6_c160",
            "uir_r2_a3_k3_s1_e4_c160",
            "uir_r1_a3_k5_s1_e4_c160",
            "uir_r1_a3_k3_s1_e4_c160",
            "uir_r1_a3_k0_s1_e4_c160",
            "uir_r1_a0_k0_s1_e2_c160",
            "uir_r1_a3_k0_s1_e4_c160"
        },
        {
            "uir_r1_a5_k5_s2_e6_c256",
            "uir_r1_a5_k5_s1_e4_c256",
            "uir_r2_a3_k5_s1_e4_c256",
            "uir_r1_a0_k0_s1_e4_c256",
            "uir_r1_a3_k0_s1_e4_c256",
            "uir_r1_a3_k5_s1_e2_c256",
            "uir_r1_a5_k5_s1_e4_c256",
            "uir_r2_a0_k0_s1_e4_c256",
            "uir_r1_a5_k0_s1_e2_c256"
        },
        {"cn_r1_k1_s1_c960"}
    };

    private static final String[][] CONV_LARGE = {
        {"er_r1_k3_s2_e4_c48"},
        {"uir_r1_a3_k5_s2_e4_c96", "uir_r1_a3_k3_s1_e4_c96"},
        {
            "uir_r1_a3_k5_s2_e4_c192",
            "uir_r3_a3_k3_s1_e4_c192",
            "uir_r1_a3_k5_s1_e4_c192",
            "uir_r5_a5_k3_s1_e4_c192",
            "uir_r1_a3_k0_s1_e4_c192"
        },
        {
            "uir_r4_a5_k5_s2_e4_c512",
            "uir_r1_a5_k0_s1_e4_c512",
            "uir_r1_a5_k3_s1_e4_c512",
            "uir_r2_a5_k0_s1_e4_c512",
            "uir_r1_a5_k3_s1_e4_c512",
            "uir_r1_a5_k5_s1_e4_c512",
            "uir_r3_a5_k0_s1_e4_c512"
        },
        {"cn_r1_k1_s1_c960"}
    };

    private static final String[][] HYBRID_MEDIUM = {
        {"er_r1_k3_s2_e4_c48"},
        {"uir_r1_a3_k5_s2_e4_c80", "uir_r1_a3_k3_s1_e2_c80"},
        {
            "uir_r1_a3_k5_s2_e6_c160",
            "uir_r1_a0_k0_s1_e2_c160",
            "uir_r1_a3_k3_s1_e4_c160",
            "uir_r1_a3_k5_s1_e4_c160",
            "mqa_r1_k3_h4_s1_v2_d64_c160",
            "uir_r1_a3_k3_s1_e4_c160",
            "mqa_r1_k3_h4_s1_v2_d64_c160",
            "uir_r1_a3_k0_s1_e4_c160",
            "mqa_r1_k3_h4_s1_v2_d64_c160",
            "uir_r1_a3_k3_s1_e4_c160",
            "mqa_r1_k3_h4_s1_v2_d64_c160",
            "uir_r1_a3_k0_s1_e4_c160"
        },
        {
            "uir_r1_a5_k5_s2_e6_c256",
            "uir_r1_a5_k5_s1_e4_c256",
            "uir_r2_a3_k5_s1_e4_c256",
            "uir_r1_a0_k0_s1_e2_c256",
            "uir_r1_a3_k5_s1_e2_c256",
            "uir_r1_a0_k0_s1_e2_c256",
            "uir_r1_a0_k0_s1_e4_c256",
            "mqa_r1_k3_h4_s1_d64_c256",
            "uir_r1_a3_k0_s1_e4_c256",
            "mqa_r1_k3_h4_s1_d64_c256",
            "uir_r1_a5_k5_s1_e4_c256",
            "mqa_r1_k3_h4_s1_d64_c256",
            "uir_r1_a5_k0_s1_e4_c256",
            "mqa_r1_k3_h4_s1_d64_c256",
            "uir_r1_a5_k0_s1_e4_c256"
        },
        {"cn_r1_k1_s1_c960"}
    };

    private static final String[][] HYBRID_LARGE = {
        {"er_r1_k3_s2_e4_c48"},
        {"uir_r1_a3_k5_s2_e4_c96", "uir_r1_a3_k3_s1_e4_c96"},
        {
            "uir_r1_a3_k5_s2_e4_c192",
            "uir_r3_a3_k3_s1_e4_c192",
            "uir_r1_a3_k5_s1_e4_c192",
            "uir_r2_a5_k3_s1_e4_c192",
            "mqa_r1_k3_h8_s1_v2_d48_c192",
            "uir_r1_a5_k3_s1_e4_c192",
            "mqa_r1_k3_h8_s1_v2_d48_c192",
            "uir_r1_a5_k3_s1_e4_c192",
            "mqa_r1_k3_h8_s1_v2_d48_c192",
            "uir_r1_a5_k3_s1_e4_c192",
            "mqa_r1_k3_h8_s1_v2_d48_c192",
            "uir_r1_a3_k0_s1_e4_c192"
        },
        {
            "uir_r4_a5_k5_s2_e4_c512",
            "uir_r1_a5_k0_s1_e4_c512",
            "uir_r1_a5_k3_s1_e4_c512",
            "uir_r2_a5_k0_s1_e4_c512",
            "uir_r1_a5_k3_s1_e4_c512",
            "uir_r1_a5_k5_s1_e4_c512",
            "mqa_r1_k3_h8_s1_d64_c512",
            "uir_r1_a5_k0_s1_e4_c512",
            "mqa_r1_k3_h8_s1_d64_c512",
            "uir_r1_a5_k0_s1_e4_c512",
            "mqa_r1_k3_h8_s1_d64_c512",
            "uir_r1_a5_k0_s1_e4_c512",
            "mqa_r1_k3_h8_s1_d64_c512",
            "uir_r1_a5_k0_s1_e4_c512"
        },
        {"cn_r1_k1_s1_c960"}
    };

    /** The strings of a registered variant, by the size and kind in its name. */
    static String[][] of(String variant) {
        boolean hybrid = variant.contains("hybrid");
        if (variant.contains("small") && !hybrid) return CONV_SMALL;
        if (variant.contains("medium")) return hybrid ? HYBRID_MEDIUM : CONV_MEDIUM;
        if (variant.contains("large")) return hybrid ? HYBRID_LARGE : CONV_LARGE;
        throw new ModelSpecException("mobilenetv4 variant '" + variant + "' names no size (small, medium, large)");
    }

    /** The stem width of the variant (before the channel multiplier). */
    static int stem(String variant) {
        return variant.contains("large") ? 24 : 32;
    }
}
