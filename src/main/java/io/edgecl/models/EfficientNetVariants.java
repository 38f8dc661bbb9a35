package io.edgecl.models;

import io.edgecl.io.image.Preprocess;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The registry of timm's EfficientNet-builder models: each registered name with the generator it
 * calls, its multipliers and flags, and its default eval preprocessing; and each generator's
 * architecture strings.
 */
final class EfficientNetVariants {
    private EfficientNetVariants() {}

    /** timm's generator functions (_gen_mobilenet_v1, ..., _gen_efficientnetv2_xl). */
    enum Gen {
        MNV1,
        MNV2,
        MNV3,
        EFFNET,
        EFFV2_BASE,
        EFFV2_S,
        EFFV2_M,
        EFFV2_L,
        EFFV2_XL,
        MNV4
    }

    /** What a timm model function changes in its generator's defaults. */
    enum Flag {
        /** EfficientNetV2 "rw" variants: Ross Wightman's stage widths and stem block. */
        RW,
        /** MobileNet V1/V2: stem and head widths not scaled by the channel multiplier. */
        FIX_STEM_HEAD,
        /** MobileNet V1: a 1×1 head conv before the pool. */
        HEAD_CONV
    }

    /** What a registered timm model function passes to its generator, and its default eval preprocessing. */
    record Variant(
            String name,
            String family,
            Gen gen,
            double channel,
            double[] depth,
            boolean rw,
            boolean fixStemHead,
            boolean headConv,
            Preprocess preprocess) {}

    private static final float[] INCEPTION = {0.5f, 0.5f, 0.5f};
    private static final Map<String, Variant> TABLE = new LinkedHashMap<>();

    static final Map<String, String> MOBILENET_V1 = new LinkedHashMap<>();
    static final Map<String, String> MOBILENET_V2 = new LinkedHashMap<>();
    static final Map<String, String> MOBILENET_V3 = new LinkedHashMap<>();
    static final Map<String, String> EFFICIENTNET = new LinkedHashMap<>();
    static final Map<String, String> EFFICIENTNET_V2 = new LinkedHashMap<>();
    static final Map<String, String> MOBILENET_V4 = new LinkedHashMap<>();

    private static Preprocess pre(int size, double crop, String interp, boolean inception) {
        return new Preprocess(
                size,
                crop,
                interp,
                inception ? INCEPTION : Preprocess.IMAGENET_MEAN,
                inception ? INCEPTION : Preprocess.IMAGENET_STD);
    }

    private static void v(
            String family,
            Map<String, String> registry,
            String name,
            Gen gen,
            double ch,
            double depth,
            Preprocess p,
            Flag... flags) {
        v(family, registry, name, gen, ch, new double[] {depth}, p, flags);
    }

    /** {@code depth}: one multiplier for every stage, or one per stage. */
    private static void v(
            String family,
            Map<String, String> registry,
            String name,
            Gen gen,
            double ch,
            double[] depth,
            Preprocess p,
            Flag... flags) {
        List<Flag> f = Arrays.asList(flags);
        TABLE.put(
                name,
                new Variant(
                        name,
                        family,
                        gen,
                        ch,
                        depth,
                        f.contains(Flag.RW),
                        f.contains(Flag.FIX_STEM_HEAD),
                        f.contains(Flag.HEAD_CONV),
                        p));
        registry.put(name, "{\"variant\":\"" + name + "\"}");
    }

    static {
        // default pretrained tag of each timm model: its input size, crop, interpolation, mean/std
        Preprocess in1k = pre(224, 0.875, "bicubic", false);
        v("mobilenetv1", MOBILENET_V1, "mobilenetv1_100", Gen.MNV1, 1.0, 1.0, pre(224, 0.875, "bicubic", true));
        v(
                "mobilenetv1",
                MOBILENET_V1,
                "mobilenetv1_100h",
                Gen.MNV1,
                1.0,
                1.0,
                pre(224, 0.875, "bicubic", true),
                Flag.HEAD_CONV);
        v("mobilenetv1", MOBILENET_V1, "mobilenetv1_125", Gen.MNV1, 1.25, 1.0, pre(224, 0.9, "bicubic", true));

        v("mobilenetv2", MOBILENET_V2, "mobilenetv2_035", Gen.MNV2, 0.35, 1.0, in1k);
        v("mobilenetv2", MOBILENET_V2, "mobilenetv2_050", Gen.MNV2, 0.5, 1.0, in1k);
        v("mobilenetv2", MOBILENET_V2, "mobilenetv2_075", Gen.MNV2, 0.75, 1.0, in1k);
        v("mobilenetv2", MOBILENET_V2, "mobilenetv2_100", Gen.MNV2, 1.0, 1.0, in1k);
        v("mobilenetv2", MOBILENET_V2, "mobilenetv2_140", Gen.MNV2, 1.4, 1.0, in1k);
        v("mobilenetv2", MOBILENET_V2, "mobilenetv2_110d", Gen.MNV2, 1.1, 1.2, in1k, Flag.FIX_STEM_HEAD);
        v("mobilenetv2", MOBILENET_V2, "mobilenetv2_120d", Gen.MNV2, 1.2, 1.4, in1k, Flag.FIX_STEM_HEAD);

        Preprocess bilinear = pre(224, 0.875, "bilinear", false);
        Preprocess tfMnv3 = pre(224, 0.875, "bilinear", true);
        v("mobilenetv3", MOBILENET_V3, "mobilenetv3_large_075", Gen.MNV3, 0.75, 1.0, bilinear);
        v("mobilenetv3", MOBILENET_V3, "mobilenetv3_large_100", Gen.MNV3, 1.0, 1.0, in1k);
        v("mobilenetv3", MOBILENET_V3, "mobilenetv3_large_150d", Gen.MNV3, 1.5, 1.2, pre(256, 0.95, "bilinear", true));
        v("mobilenetv3", MOBILENET_V3, "mobilenetv3_small_050", Gen.MNV3, 0.5, 1.0, in1k);
        v("mobilenetv3", MOBILENET_V3, "mobilenetv3_small_075", Gen.MNV3, 0.75, 1.0, in1k);
        v("mobilenetv3", MOBILENET_V3, "mobilenetv3_small_100", Gen.MNV3, 1.0, 1.0, in1k);
        v("mobilenetv3", MOBILENET_V3, "tf_mobilenetv3_large_075", Gen.MNV3, 0.75, 1.0, tfMnv3);
        v("mobilenetv3", MOBILENET_V3, "tf_mobilenetv3_large_100", Gen.MNV3, 1.0, 1.0, tfMnv3);
        v("mobilenetv3", MOBILENET_V3, "tf_mobilenetv3_large_minimal_100", Gen.MNV3, 1.0, 1.0, tfMnv3);
        v("mobilenetv3", MOBILENET_V3, "tf_mobilenetv3_small_075", Gen.MNV3, 0.75, 1.0, tfMnv3);
        v("mobilenetv3", MOBILENET_V3, "tf_mobilenetv3_small_100", Gen.MNV3, 1.0, 1.0, tfMnv3);
        v("mobilenetv3", MOBILENET_V3, "tf_mobilenetv3_small_minimal_100", Gen.MNV3, 1.0, 1.0, tfMnv3);

        v("efficientnet", EFFICIENTNET, "efficientnet_b0", Gen.EFFNET, 1.0, 1.0, in1k);
        v("efficientnet", EFFICIENTNET, "efficientnet_b1", Gen.EFFNET, 1.0, 1.1, pre(240, 0.9, "bicubic", true));
        v("efficientnet", EFFICIENTNET, "efficientnet_b2", Gen.EFFNET, 1.1, 1.2, pre(256, 0.875, "bicubic", false));
        v("efficientnet", EFFICIENTNET, "efficientnet_b3", Gen.EFFNET, 1.2, 1.4, pre(288, 0.875, "bicubic", false));
        v("efficientnet", EFFICIENTNET, "efficientnet_b4", Gen.EFFNET, 1.4, 1.8, pre(320, 0.875, "bicubic", false));
        v("efficientnet", EFFICIENTNET, "tf_efficientnet_b0", Gen.EFFNET, 1.0, 1.0, in1k);
        v("efficientnet", EFFICIENTNET, "tf_efficientnet_b1", Gen.EFFNET, 1.0, 1.1, pre(240, 0.882, "bicubic", false));
        v("efficientnet", EFFICIENTNET, "tf_efficientnet_b2", Gen.EFFNET, 1.1, 1.2, pre(260, 0.890, "bicubic", false));
        v("efficientnet", EFFICIENTNET, "tf_efficientnet_b3", Gen.EFFNET, 1.2, 1.4, pre(300, 0.904, "bicubic", false));
        v("efficientnet", EFFICIENTNET, "tf_efficientnet_b4", Gen.EFFNET, 1.4, 1.8, pre(380, 0.922, "bicubic", false));

        v(
                "efficientnetv2",
                EFFICIENTNET_V2,
                "efficientnetv2_rw_t",
                Gen.EFFV2_S,
                0.8,
                0.9,
                pre(224, 1.0, "bicubic", false));
        v(
                "efficientnetv2",
                EFFICIENTNET_V2,
                "efficientnetv2_rw_s",
                Gen.EFFV2_S,
                1.0,
                1.0,
                pre(288, 1.0, "bicubic", false),
                Flag.RW);
        v(
                "efficientnetv2",
                EFFICIENTNET_V2,
                "efficientnetv2_rw_m",
                Gen.EFFV2_S,
                1.2,
                new double[] {1.2, 1.2, 1.2, 1.2, 1.6, 1.6},
                pre(320, 1.0, "bicubic", false),
                Flag.RW);
        v(
                "efficientnetv2",
                EFFICIENTNET_V2,
                "efficientnetv2_s",
                Gen.EFFV2_S,
                1.0,
                1.0,
                pre(288, 1.0, "bicubic", false));
        v(
                "efficientnetv2",
                EFFICIENTNET_V2,
                "efficientnetv2_m",
                Gen.EFFV2_M,
                1.0,
                1.0,
                pre(320, 1.0, "bicubic", false));
        v(
                "efficientnetv2",
                EFFICIENTNET_V2,
                "efficientnetv2_l",
                Gen.EFFV2_L,
                1.0,
                1.0,
                pre(384, 1.0, "bicubic", false));
        v(
                "efficientnetv2",
                EFFICIENTNET_V2,
                "efficientnetv2_xl",
                Gen.EFFV2_XL,
                1.0,
                1.0,
                pre(384, 1.0, "bicubic", false));
        v(
                "efficientnetv2",
                EFFICIENTNET_V2,
                "tf_efficientnetv2_s",
                Gen.EFFV2_S,
                1.0,
                1.0,
                pre(300, 1.0, "bicubic", true));
        v(
                "efficientnetv2",
                EFFICIENTNET_V2,
                "tf_efficientnetv2_b0",
                Gen.EFFV2_BASE,
                1.0,
                1.0,
                pre(192, 0.875, "bicubic", false));
        v(
                "efficientnetv2",
                EFFICIENTNET_V2,
                "tf_efficientnetv2_b1",
                Gen.EFFV2_BASE,
                1.0,
                1.1,
                pre(192, 0.882, "bicubic", false));
        v(
                "efficientnetv2",
                EFFICIENTNET_V2,
                "tf_efficientnetv2_b2",
                Gen.EFFV2_BASE,
                1.1,
                1.2,
                pre(208, 0.890, "bicubic", false));
        // MobileNetV4: the generator's channel multiplier is the only argument
        String[][] mnv4 = {
            {"mobilenetv4_conv_small_035", "0.35", "224", "0.875", "inception"},
            {"mobilenetv4_conv_small_050", "0.5", "224", "0.875", "inception"},
            {"mobilenetv4_conv_small", "1.0", "224", "0.875", ""},
            {"mobilenetv4_conv_medium", "1.0", "256", "0.95", ""},
            {"mobilenetv4_conv_large", "1.0", "384", "0.95", ""},
            {"mobilenetv4_hybrid_medium", "1.0", "256", "0.95", ""},
            {"mobilenetv4_hybrid_large", "1.0", "384", "0.95", ""},
            {"mobilenetv4_conv_aa_medium", "1.0", "256", "0.95", ""},
            {"mobilenetv4_conv_blur_medium", "1.0", "224", "0.95", ""},
            {"mobilenetv4_conv_aa_large", "1.0", "448", "0.95", ""},
            {"mobilenetv4_hybrid_medium_075", "0.75", "224", "0.95", ""},
            {"mobilenetv4_hybrid_large_075", "0.75", "256", "0.95", ""}
        };
        for (String[] m : mnv4) {
            v(
                    "mobilenetv4",
                    MOBILENET_V4,
                    m[0],
                    Gen.MNV4,
                    Double.parseDouble(m[1]),
                    1.0,
                    pre(Integer.parseInt(m[2]), Double.parseDouble(m[3]), "bicubic", !m[4].isEmpty()));
        }
    }

    /** A registered variant, or null. */
    static Variant get(String name) {
        return TABLE.get(name);
    }

    /** The registered names of one family, in registration order. */
    static List<String> of(String family) {
        List<String> out = new ArrayList<>();
        for (Variant v : TABLE.values()) if (v.family().equals(family)) out.add(v.name());
        return out;
    }

    /** The generators' architecture strings. */
    static String[][] arch(Gen gen, String variant, boolean rw) {
        return switch (gen) {
            case MNV1 ->
                new String[][] {
                    {"dsa_r1_k3_s1_c64"},
                    {"dsa_r2_k3_s2_c128"},
                    {"dsa_r2_k3_s2_c256"},
                    {"dsa_r6_k3_s2_c512"},
                    {"dsa_r2_k3_s2_c1024"}
                };
            case MNV2 ->
                new String[][] {
                    {"ds_r1_k3_s1_c16"},
                    {"ir_r2_k3_s2_e6_c24"},
                    {"ir_r3_k3_s2_e6_c32"},
                    {"ir_r4_k3_s2_e6_c64"},
                    {"ir_r3_k3_s1_e6_c96"},
                    {"ir_r3_k3_s2_e6_c160"},
                    {"ir_r1_k3_s1_e6_c320"}
                };
            case MNV3 -> mnv3Arch(variant.contains("small"), variant.contains("minimal"));
            case MNV4 -> MobileNetV4Arch.of(variant);
            case EFFNET ->
                new String[][] {
                    {"ds_r1_k3_s1_e1_c16_se0.25"},
                    {"ir_r2_k3_s2_e6_c24_se0.25"},
                    {"ir_r2_k5_s2_e6_c40_se0.25"},
                    {"ir_r3_k3_s2_e6_c80_se0.25"},
                    {"ir_r3_k5_s1_e6_c112_se0.25"},
                    {"ir_r4_k5_s2_e6_c192_se0.25"},
                    {"ir_r1_k3_s1_e6_c320_se0.25"}
                };
            case EFFV2_BASE ->
                new String[][] {
                    {"cn_r1_k3_s1_e1_c16_skip"},
                    {"er_r2_k3_s2_e4_c32"},
                    {"er_r2_k3_s2_e4_c48"},
                    {"ir_r3_k3_s2_e4_c96_se0.25"},
                    {"ir_r5_k3_s1_e6_c112_se0.25"},
                    {"ir_r8_k3_s2_e6_c192_se0.25"}
                };
            case EFFV2_S ->
                new String[][] {
                    {rw ? "er_r2_k3_s1_e1_c24" : "cn_r2_k3_s1_e1_c24_skip"},
                    {"er_r4_k3_s2_e4_c48"},
                    {"er_r4_k3_s2_e4_c64"},
                    {"ir_r6_k3_s2_e4_c128_se0.25"},
                    {"ir_r9_k3_s1_e6_c160_se0.25"},
                    {rw ? "ir_r15_k3_s2_e6_c272_se0.25" : "ir_r15_k3_s2_e6_c256_se0.25"}
                };
            case EFFV2_M ->
                new String[][] {
                    {"cn_r3_k3_s1_e1_c24_skip"},
                    {"er_r5_k3_s2_e4_c48"},
                    {"er_r5_k3_s2_e4_c80"},
                    {"ir_r7_k3_s2_e4_c160_se0.25"},
                    {"ir_r14_k3_s1_e6_c176_se0.25"},
                    {"ir_r18_k3_s2_e6_c304_se0.25"},
                    {"ir_r5_k3_s1_e6_c512_se0.25"}
                };
            case EFFV2_L ->
                new String[][] {
                    {"cn_r4_k3_s1_e1_c32_skip"},
                    {"er_r7_k3_s2_e4_c64"},
                    {"er_r7_k3_s2_e4_c96"},
                    {"ir_r10_k3_s2_e4_c192_se0.25"},
                    {"ir_r19_k3_s1_e6_c224_se0.25"},
                    {"ir_r25_k3_s2_e6_c384_se0.25"},
                    {"ir_r7_k3_s1_e6_c640_se0.25"}
                };
            case EFFV2_XL ->
                new String[][] {
                    {"cn_r4_k3_s1_e1_c32_skip"},
                    {"er_r8_k3_s2_e4_c64"},
                    {"er_r8_k3_s2_e4_c96"},
                    {"ir_r16_k3_s2_e4_c192_se0.25"},
                    {"ir_r24_k3_s1_e6_c256_se0.25"},
                    {"ir_r32_k3_s2_e6_c512_se0.25"},
                    {"ir_r8_k3_s1_e6_c640_se0.25"}
                };
        };
    }

    private static String[][] mnv3Arch(boolean small, boolean minimal) {
        if (small && minimal) {
            return new String[][] {
                {"ds_r1_k3_s2_e1_c16"},
                {"ir_r1_k3_s2_e4.5_c24", "ir_r1_k3_s1_e3.67_c24"},
                {"ir_r1_k3_s2_e4_c40", "ir_r2_k3_s1_e6_c40"},
                {"ir_r2_k3_s1_e3_c48"},
                {"ir_r3_k3_s2_e6_c96"},
                {"cn_r1_k1_s1_c576"}
            };
        }
        if (small) {
            return new String[][] {
                {"ds_r1_k3_s2_e1_c16_se0.25_nre"},
                {"ir_r1_k3_s2_e4.5_c24_nre", "ir_r1_k3_s1_e3.67_c24_nre"},
                {"ir_r1_k5_s2_e4_c40_se0.25", "ir_r2_k5_s1_e6_c40_se0.25"},
                {"ir_r2_k5_s1_e3_c48_se0.25"},
                {"ir_r3_k5_s2_e6_c96_se0.25"},
                {"cn_r1_k1_s1_c576"}
            };
        }
        if (minimal) {
            return new String[][] {
                {"ds_r1_k3_s1_e1_c16"},
                {"ir_r1_k3_s2_e4_c24", "ir_r1_k3_s1_e3_c24"},
                {"ir_r3_k3_s2_e3_c40"},
                {"ir_r1_k3_s2_e6_c80", "ir_r1_k3_s1_e2.5_c80", "ir_r2_k3_s1_e2.3_c80"},
                {"ir_r2_k3_s1_e6_c112"},
                {"ir_r3_k3_s2_e6_c160"},
                {"cn_r1_k1_s1_c960"}
            };
        }
        return new String[][] {
            {"ds_r1_k3_s1_e1_c16_nre"},
            {"ir_r1_k3_s2_e4_c24_nre", "ir_r1_k3_s1_e3_c24_nre"},
            {"ir_r3_k5_s2_e3_c40_se0.25_nre"},
            {"ir_r1_k3_s2_e6_c80", "ir_r1_k3_s1_e2.5_c80", "ir_r2_k3_s1_e2.3_c80"},
            {"ir_r2_k3_s1_e6_c112_se0.25"},
            {"ir_r3_k5_s2_e6_c160_se0.25"},
            {"cn_r1_k1_s1_c960"}
        };
    }
}
