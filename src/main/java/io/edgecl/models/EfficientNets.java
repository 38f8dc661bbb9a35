package io.edgecl.models;

import io.edgecl.io.image.Preprocess;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.edgecl.graph.Block;
import io.edgecl.graph.Graph;
import io.edgecl.graph.OpSpec;
import io.edgecl.graph.Value;
import io.edgecl.tensor.HostTensor;
import io.edgecl.models.ArchStrings.BlockDef;
import io.edgecl.models.ArchStrings.Type;
import io.edgecl.ops.Act;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The networks timm assembles from block strings with its EfficientNet builder: MobileNet V1,
 * V2 and V3, EfficientNet and EfficientNetV2. A configuration names a timm variant (which picks
 * the generator, its architecture strings and flags) and the generator's channel and depth
 * multipliers (omitted, they take the registered model's values); {@code tf_} variants use
 * TensorFlow "same" padding and BatchNorm eps 1e-3 unless pad_type / bn_eps say otherwise.
 */
public final class EfficientNets implements VisionModel {
    /** timm's generator functions (_gen_mobilenet_v1, ..., _gen_efficientnetv2_xl). */
    enum Gen { MNV1, MNV2, MNV3, EFFNET, EFFV2_BASE, EFFV2_S, EFFV2_M, EFFV2_L, EFFV2_XL }

    /** What a registered timm model function passes to its generator, and its default eval preprocessing. */
    record Variant(String name, String family, Gen gen, double channel, double[] depth, boolean rw, boolean fixStemHead,
                   boolean headConv, Preprocess preprocess) {}

    private static final float[] INCEPTION = {0.5f, 0.5f, 0.5f};
    private static final Map<String, Variant> TABLE = new LinkedHashMap<>();

    public static final Map<String, String> MOBILENET_V1 = new LinkedHashMap<>();
    public static final Map<String, String> MOBILENET_V2 = new LinkedHashMap<>();
    public static final Map<String, String> MOBILENET_V3 = new LinkedHashMap<>();
    public static final Map<String, String> EFFICIENTNET = new LinkedHashMap<>();
    public static final Map<String, String> EFFICIENTNET_V2 = new LinkedHashMap<>();

    private static Preprocess pre(int size, double crop, String interp, boolean inception) {
        return new Preprocess(size, crop, interp, inception ? INCEPTION : Preprocess.IMAGENET_MEAN,
                inception ? INCEPTION : Preprocess.IMAGENET_STD);
    }

    private static void v(String family, Map<String, String> registry, String name, Gen gen, double ch, double depth,
                          Preprocess p, String... flags) {
        v(family, registry, name, gen, ch, new double[] {depth}, p, flags);
    }

    /** {@code depth}: one multiplier for every stage, or one per stage. */
    private static void v(String family, Map<String, String> registry, String name, Gen gen, double ch, double[] depth,
                          Preprocess p, String... flags) {
        List<String> f = Arrays.asList(flags);
        TABLE.put(name, new Variant(name, family, gen, ch, depth, f.contains("rw"),
                f.contains("fix_stem_head"), f.contains("head_conv"), p));
        registry.put(name, "{\"variant\":\"" + name + "\"}");
    }

    static {
        // default pretrained tag of each timm model: its input size, crop, interpolation, mean/std
        Preprocess in1k = pre(224, 0.875, "bicubic", false);
        v("mobilenetv1", MOBILENET_V1, "mobilenetv1_100", Gen.MNV1, 1.0, 1.0, pre(224, 0.875, "bicubic", true));
        v("mobilenetv1", MOBILENET_V1, "mobilenetv1_100h", Gen.MNV1, 1.0, 1.0, pre(224, 0.875, "bicubic", true),
                "head_conv");
        v("mobilenetv1", MOBILENET_V1, "mobilenetv1_125", Gen.MNV1, 1.25, 1.0, pre(224, 0.9, "bicubic", true));

        v("mobilenetv2", MOBILENET_V2, "mobilenetv2_035", Gen.MNV2, 0.35, 1.0, in1k);
        v("mobilenetv2", MOBILENET_V2, "mobilenetv2_050", Gen.MNV2, 0.5, 1.0, in1k);
        v("mobilenetv2", MOBILENET_V2, "mobilenetv2_075", Gen.MNV2, 0.75, 1.0, in1k);
        v("mobilenetv2", MOBILENET_V2, "mobilenetv2_100", Gen.MNV2, 1.0, 1.0, in1k);
        v("mobilenetv2", MOBILENET_V2, "mobilenetv2_140", Gen.MNV2, 1.4, 1.0, in1k);
        v("mobilenetv2", MOBILENET_V2, "mobilenetv2_110d", Gen.MNV2, 1.1, 1.2, in1k, "fix_stem_head");
        v("mobilenetv2", MOBILENET_V2, "mobilenetv2_120d", Gen.MNV2, 1.2, 1.4, in1k, "fix_stem_head");

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

        v("efficientnetv2", EFFICIENTNET_V2, "efficientnetv2_rw_t", Gen.EFFV2_S, 0.8, 0.9, pre(224, 1.0, "bicubic", false));
        v("efficientnetv2", EFFICIENTNET_V2, "efficientnetv2_rw_s", Gen.EFFV2_S, 1.0, 1.0, pre(288, 1.0, "bicubic", false),
                "rw");
        v("efficientnetv2", EFFICIENTNET_V2, "efficientnetv2_rw_m", Gen.EFFV2_S, 1.2,
                new double[] {1.2, 1.2, 1.2, 1.2, 1.6, 1.6}, pre(320, 1.0, "bicubic", false), "rw");
        v("efficientnetv2", EFFICIENTNET_V2, "efficientnetv2_s", Gen.EFFV2_S, 1.0, 1.0, pre(288, 1.0, "bicubic", false));
        v("efficientnetv2", EFFICIENTNET_V2, "efficientnetv2_m", Gen.EFFV2_M, 1.0, 1.0, pre(320, 1.0, "bicubic", false));
        v("efficientnetv2", EFFICIENTNET_V2, "efficientnetv2_l", Gen.EFFV2_L, 1.0, 1.0, pre(384, 1.0, "bicubic", false));
        v("efficientnetv2", EFFICIENTNET_V2, "efficientnetv2_xl", Gen.EFFV2_XL, 1.0, 1.0, pre(384, 1.0, "bicubic", false));
        v("efficientnetv2", EFFICIENTNET_V2, "tf_efficientnetv2_s", Gen.EFFV2_S, 1.0, 1.0, pre(300, 1.0, "bicubic", true));
        v("efficientnetv2", EFFICIENTNET_V2, "tf_efficientnetv2_b0", Gen.EFFV2_BASE, 1.0, 1.0,
                pre(192, 0.875, "bicubic", false));
        v("efficientnetv2", EFFICIENTNET_V2, "tf_efficientnetv2_b1", Gen.EFFV2_BASE, 1.0, 1.1,
                pre(192, 0.882, "bicubic", false));
        v("efficientnetv2", EFFICIENTNET_V2, "tf_efficientnetv2_b2", Gen.EFFV2_BASE, 1.1, 1.2,
                pre(208, 0.890, "bicubic", false));
    }

    /** One block as built: channels after rounding, stride, activation, SE width (0: none) and shortcut. */
    record Blk(Type type, String path, int in, int out, int mid, int k, int stride, Act act, int seChs, boolean skip) {}

    private final String name, family;
    private final Preprocess preprocess;
    private final List<List<Blk>> stages;
    private final int stemChs, numFeatures, numClasses, inChans;
    private final boolean mnv3Head, headBias, samePad, stemFeature;
    private final boolean[] stageFeature;
    private final Act act, seAct, seGate;
    private final double bnEps;
    private final List<String> featureNames = new ArrayList<>();

    private EfficientNets(String name, String family, Preprocess preprocess, List<List<Blk>> stages, int stemChs,
                          int numFeatures, int numClasses, int inChans, boolean mnv3Head, boolean headBias,
                          boolean samePad, Act act, Act seAct, Act seGate, double bnEps) {
        this.name = name;
        this.family = family;
        this.preprocess = preprocess;
        this.stages = stages;
        this.stemChs = stemChs;
        this.numFeatures = numFeatures;
        this.numClasses = numClasses;
        this.inChans = inChans;
        this.mnv3Head = mnv3Head;
        this.headBias = headBias;
        this.samePad = samePad;
        this.act = act;
        this.seAct = seAct;
        this.seGate = seGate;
        this.bnEps = bnEps;
        // timm's feature_info: the stem when the first block strides, then each stage whose
        // successor starts with a stride (and the last)
        this.stemFeature = stages.get(0).get(0).stride() > 1;
        if (stemFeature) featureNames.add("features.0");
        stageFeature = new boolean[stages.size()];
        for (int i = 0; i < stages.size(); i++) {
            stageFeature[i] = i == stages.size() - 1 || stages.get(i + 1).get(0).stride() > 1;
            if (stageFeature[i]) featureNames.add("features." + featureNames.size());
        }
    }

    // ---- configurations -------------------------------------------------------------------

    public static VisionModel mobilenetV1(String name, JsonObject json) {
        return parse(name, json, "mobilenetv1");
    }

    public static VisionModel mobilenetV2(String name, JsonObject json) {
        return parse(name, json, "mobilenetv2");
    }

    public static VisionModel mobilenetV3(String name, JsonObject json) {
        return parse(name, json, "mobilenetv3");
    }

    public static VisionModel efficientNet(String name, JsonObject json) {
        return parse(name, json, "efficientnet");
    }

    public static VisionModel efficientNetV2(String name, JsonObject json) {
        return parse(name, json, "efficientnetv2");
    }

    private static List<String> variantsOf(String family) {
        List<String> out = new ArrayList<>();
        for (Variant v : TABLE.values()) if (v.family().equals(family)) out.add(v.name());
        return out;
    }

    private static EfficientNets parse(String registered, JsonObject json, String family) {
        SpecReader r = new SpecReader(json, family);
        List<String> known = variantsOf(family);
        String vname = r.string("variant", null, known.toArray(new String[0]));
        if (vname == null) {
            throw new ModelSpecException(family + " configuration: 'variant' (a timm model name: "
                    + String.join(", ", known) + ") is required");
        }
        Variant var = TABLE.get(vname);
        Gen gen = var.gen();
        boolean rw = gen == Gen.EFFV2_S && r.bool("rw", var.rw());
        String[][] arch = arch(gen, vname, rw);
        double ch = r.number("channel_multiplier", var.channel());
        if (ch < 0 || Double.isNaN(ch)) throw new ModelSpecException(family + " configuration: 'channel_multiplier' must be >= 0");
        double[] depth = depthMultiplier(r, json, family, var, arch.length);
        boolean fsh = gen == Gen.MNV1 || gen == Gen.MNV2 ? r.bool("fix_stem_head", var.fixStemHead()) : false;
        boolean headConv = gen == Gen.MNV1 && r.bool("head_conv", var.headConv());
        int divisor = gen == Gen.EFFNET ? r.integer("channel_divisor", 8) : 8;
        if (divisor <= 0) throw new ModelSpecException(family + " configuration: 'channel_divisor' must be positive");
        JsonElement gs = json.get("group_size");
        r.ignore("group_size");
        if (gs != null && !gs.isJsonNull()) {
            throw new ModelSpecException(family + " configuration: 'group_size' (grouped convs) is not supported; "
                    + "leave it null");
        }
        boolean tf = vname.startsWith("tf_");
        double eps = r.number("bn_eps", tf ? 1e-3 : 1e-5);
        if (!(eps > 0)) throw new ModelSpecException(family + " configuration: 'bn_eps' must be positive");
        r.ignore("bn_momentum", "drop_rate", "drop_path_rate");
        boolean same = r.string("pad_type", tf ? "same" : "", "", "same").equals("same");
        r.string("global_pool", "avg", "avg");
        if (gen != Gen.MNV3 && r.integer("output_stride", 32) != 32) {
            throw new ModelSpecException(family + " configuration: only output_stride 32 is supported");
        }
        int classes = r.integer("num_classes", 1000);
        int inChans = r.integer("in_chans", 3);
        if (classes < 0 || inChans <= 0) {
            throw new ModelSpecException(family + " configuration: 'num_classes' must be >= 0 and 'in_chans' > 0");
        }
        boolean small = vname.contains("small"), minimal = vname.contains("minimal");
        String defAct = switch (gen) {
            case MNV1, MNV2 -> "relu6";
            case MNV3 -> minimal ? "relu" : "hard_swish";
            case EFFNET -> "swish";
            default -> "silu";
        };
        Act act = ArchStrings.activation("act_layer", r.string("act_layer", defAct));
        boolean headBias = gen == Gen.MNV3 && r.bool("head_bias", true);
        r.finish();

        double roundLimit = gen == Gen.EFFV2_BASE ? 0.0 : 0.9;
        java.util.function.IntUnaryOperator rc = c -> ArchStrings.roundChannels(c, ch, divisor, roundLimit);
        int stem = switch (gen) {
            case MNV3 -> 16;
            case EFFV2_S, EFFV2_M -> 24;
            default -> 32;
        };
        boolean fixStem = gen == Gen.MNV3 ? ch < 0.75 : fsh;
        if (!fixStem) stem = rc.applyAsInt(stem);
        int numFeatures = switch (gen) {
            case MNV1 -> headConv ? (fsh ? 1024 : Math.max(1024, rc.applyAsInt(1024))) : 0;
            case MNV2 -> fsh ? 1280 : Math.max(1280, rc.applyAsInt(1280));
            case MNV3 -> small ? 1024 : 1280;
            case EFFNET, EFFV2_BASE -> rc.applyAsInt(1280);
            case EFFV2_S -> rc.applyAsInt(rw ? 1792 : 1280);
            default -> 1280;
        };
        List<List<BlockDef>> defs = ArchStrings.decode(arch, depth, true, fsh);
        boolean seFromExp = gen == Gen.MNV3;
        List<List<Blk>> stages = new ArrayList<>();
        int in = stem;
        for (int i = 0; i < defs.size(); i++) {
            List<Blk> blocks = new ArrayList<>();
            for (int j = 0; j < defs.get(i).size(); j++) {
                BlockDef d = defs.get(i).get(j);
                int stride = j == 0 ? d.stride() : 1;
                int out = rc.applyAsInt(d.outChs());
                int mid = switch (d.type()) {
                    case IR -> ArchStrings.makeDivisible(in * d.expRatio());
                    case ER -> ArchStrings.makeDivisible((d.forceInChs() > 0 ? rc.applyAsInt(d.forceInChs()) : in)
                            * d.expRatio());
                    case CN -> out;
                    default -> in;
                };
                int se = 0;
                if (d.seRatio() > 0) {
                    double ratio = seFromExp ? d.seRatio() : d.seRatio() / d.expRatio();
                    // MobileNetV3 rounds the squeeze width to a multiple of 8, the others with Python's round()
                    se = seFromExp ? ArchStrings.makeDivisible(mid * ratio) : (int) Math.rint(mid * ratio);
                }
                boolean skip = d.type() == Type.CN ? d.skip() && stride == 1 && in == out
                        : stride == 1 && in == out && !d.noskip();
                blocks.add(new Blk(d.type(), "blocks." + i + "." + j, in, out, mid, d.kernel(), stride,
                        d.act() != null ? d.act() : act, se, skip));
                in = out;
            }
            stages.add(blocks);
        }
        String display = registered != null ? registered : "custom " + family;
        return new EfficientNets(display, family, var.preprocess(), stages, stem, numFeatures, classes, inChans,
                gen == Gen.MNV3, headBias, same, act, gen == Gen.MNV3 ? Act.RELU : null,
                gen == Gen.MNV3 ? Act.HSIGMOID : Act.SIGMOID, eps);
    }

    private static double[] depthMultiplier(SpecReader r, JsonObject json, String family, Variant var, int stages) {
        JsonElement e = json.get("depth_multiplier");
        double[] def = var.depth().length == 1 ? filled(stages, var.depth()[0]) : var.depth();
        if (e == null || e.isJsonNull()) {
            r.ignore("depth_multiplier");
            return def;
        }
        if (e.isJsonArray()) {
            r.ignore("depth_multiplier");
            JsonArray a = e.getAsJsonArray();
            if (a.size() != stages) {
                throw new ModelSpecException(family + " configuration: 'depth_multiplier' needs one value per stage ("
                        + stages + "), got " + a.size());
            }
            double[] out = new double[stages];
            for (int i = 0; i < stages; i++) {
                JsonElement x = a.get(i);
                if (!x.isJsonPrimitive() || !x.getAsJsonPrimitive().isNumber() || !(x.getAsDouble() >= 0)) {
                    throw new ModelSpecException(family + " configuration: 'depth_multiplier' must hold numbers >= 0");
                }
                out[i] = x.getAsDouble();
            }
            return out;
        }
        double d = r.number("depth_multiplier", 1.0);
        if (!(d >= 0)) throw new ModelSpecException(family + " configuration: 'depth_multiplier' must be >= 0");
        return filled(stages, d);
    }

    private static double[] filled(int n, double v) {
        double[] a = new double[n];
        Arrays.fill(a, v);
        return a;
    }

    /** The generators' architecture strings. */
    static String[][] arch(Gen gen, String variant, boolean rw) {
        return switch (gen) {
            case MNV1 -> new String[][] {{"dsa_r1_k3_s1_c64"}, {"dsa_r2_k3_s2_c128"}, {"dsa_r2_k3_s2_c256"},
                {"dsa_r6_k3_s2_c512"}, {"dsa_r2_k3_s2_c1024"}};
            case MNV2 -> new String[][] {{"ds_r1_k3_s1_c16"}, {"ir_r2_k3_s2_e6_c24"}, {"ir_r3_k3_s2_e6_c32"},
                {"ir_r4_k3_s2_e6_c64"}, {"ir_r3_k3_s1_e6_c96"}, {"ir_r3_k3_s2_e6_c160"}, {"ir_r1_k3_s1_e6_c320"}};
            case MNV3 -> mnv3Arch(variant.contains("small"), variant.contains("minimal"));
            case EFFNET -> new String[][] {{"ds_r1_k3_s1_e1_c16_se0.25"}, {"ir_r2_k3_s2_e6_c24_se0.25"},
                {"ir_r2_k5_s2_e6_c40_se0.25"}, {"ir_r3_k3_s2_e6_c80_se0.25"}, {"ir_r3_k5_s1_e6_c112_se0.25"},
                {"ir_r4_k5_s2_e6_c192_se0.25"}, {"ir_r1_k3_s1_e6_c320_se0.25"}};
            case EFFV2_BASE -> new String[][] {{"cn_r1_k3_s1_e1_c16_skip"}, {"er_r2_k3_s2_e4_c32"},
                {"er_r2_k3_s2_e4_c48"}, {"ir_r3_k3_s2_e4_c96_se0.25"}, {"ir_r5_k3_s1_e6_c112_se0.25"},
                {"ir_r8_k3_s2_e6_c192_se0.25"}};
            case EFFV2_S -> new String[][] {{rw ? "er_r2_k3_s1_e1_c24" : "cn_r2_k3_s1_e1_c24_skip"},
                {"er_r4_k3_s2_e4_c48"}, {"er_r4_k3_s2_e4_c64"}, {"ir_r6_k3_s2_e4_c128_se0.25"},
                {"ir_r9_k3_s1_e6_c160_se0.25"}, {rw ? "ir_r15_k3_s2_e6_c272_se0.25" : "ir_r15_k3_s2_e6_c256_se0.25"}};
            case EFFV2_M -> new String[][] {{"cn_r3_k3_s1_e1_c24_skip"}, {"er_r5_k3_s2_e4_c48"},
                {"er_r5_k3_s2_e4_c80"}, {"ir_r7_k3_s2_e4_c160_se0.25"}, {"ir_r14_k3_s1_e6_c176_se0.25"},
                {"ir_r18_k3_s2_e6_c304_se0.25"}, {"ir_r5_k3_s1_e6_c512_se0.25"}};
            case EFFV2_L -> new String[][] {{"cn_r4_k3_s1_e1_c32_skip"}, {"er_r7_k3_s2_e4_c64"},
                {"er_r7_k3_s2_e4_c96"}, {"ir_r10_k3_s2_e4_c192_se0.25"}, {"ir_r19_k3_s1_e6_c224_se0.25"},
                {"ir_r25_k3_s2_e6_c384_se0.25"}, {"ir_r7_k3_s1_e6_c640_se0.25"}};
            case EFFV2_XL -> new String[][] {{"cn_r4_k3_s1_e1_c32_skip"}, {"er_r8_k3_s2_e4_c64"},
                {"er_r8_k3_s2_e4_c96"}, {"ir_r16_k3_s2_e4_c192_se0.25"}, {"ir_r24_k3_s1_e6_c256_se0.25"},
                {"ir_r32_k3_s2_e6_c512_se0.25"}, {"ir_r8_k3_s1_e6_c640_se0.25"}};
        };
    }

    private static String[][] mnv3Arch(boolean small, boolean minimal) {
        if (small && minimal) {
            return new String[][] {{"ds_r1_k3_s2_e1_c16"}, {"ir_r1_k3_s2_e4.5_c24", "ir_r1_k3_s1_e3.67_c24"},
                {"ir_r1_k3_s2_e4_c40", "ir_r2_k3_s1_e6_c40"}, {"ir_r2_k3_s1_e3_c48"}, {"ir_r3_k3_s2_e6_c96"},
                {"cn_r1_k1_s1_c576"}};
        }
        if (small) {
            return new String[][] {{"ds_r1_k3_s2_e1_c16_se0.25_nre"},
                {"ir_r1_k3_s2_e4.5_c24_nre", "ir_r1_k3_s1_e3.67_c24_nre"},
                {"ir_r1_k5_s2_e4_c40_se0.25", "ir_r2_k5_s1_e6_c40_se0.25"}, {"ir_r2_k5_s1_e3_c48_se0.25"},
                {"ir_r3_k5_s2_e6_c96_se0.25"}, {"cn_r1_k1_s1_c576"}};
        }
        if (minimal) {
            return new String[][] {{"ds_r1_k3_s1_e1_c16"}, {"ir_r1_k3_s2_e4_c24", "ir_r1_k3_s1_e3_c24"},
                {"ir_r3_k3_s2_e3_c40"}, {"ir_r1_k3_s2_e6_c80", "ir_r1_k3_s1_e2.5_c80", "ir_r2_k3_s1_e2.3_c80"},
                {"ir_r2_k3_s1_e6_c112"}, {"ir_r3_k3_s2_e6_c160"}, {"cn_r1_k1_s1_c960"}};
        }
        return new String[][] {{"ds_r1_k3_s1_e1_c16_nre"}, {"ir_r1_k3_s2_e4_c24_nre", "ir_r1_k3_s1_e3_c24_nre"},
            {"ir_r3_k5_s2_e3_c40_se0.25_nre"}, {"ir_r1_k3_s2_e6_c80", "ir_r1_k3_s1_e2.5_c80", "ir_r2_k3_s1_e2.3_c80"},
            {"ir_r2_k3_s1_e6_c112_se0.25"}, {"ir_r3_k5_s2_e6_c160_se0.25"}, {"cn_r1_k1_s1_c960"}};
    }

    // ---- model --------------------------------------------------------------------------

    @Override
    public String name() {
        return name;
    }

    @Override
    public String family() {
        return family;
    }

    @Override
    public int numClasses() {
        return numClasses;
    }

    @Override
    public Preprocess preprocess() {
        return preprocess;
    }

    @Override
    public List<String> featureNames() {
        return featureNames;
    }

    /** The built blocks (channels, strides, SE widths), stage by stage. */
    List<List<Blk>> stages() {
        return stages;
    }

    @Override
    public void checkInput(int channels, int h, int w) {
        if (channels != inChans) throw new ModelSpecException(name + " takes " + inChans + "-channel input, got " + channels);
        if (h < 1 || w < 1) throw new ModelSpecException("input size " + h + "x" + w + " is not valid for " + name);
    }

    /** Output size and top/left padding of a conv: TensorFlow "same" or timm's symmetric default. */
    private int[] geometry(int in, int k, int s) {
        if (samePad) {
            int out = (in + s - 1) / s;
            int total = Math.max((out - 1) * s + k - in, 0);
            return new int[] {out, total / 2};
        }
        int p = Layers.pad(k, s);
        return new int[] {(in + 2 * p - k) / s + 1, p};
    }

    /**
     * A bias-free conv with the BatchNorm after it folded in, then the norm's activation as its
     * own node (fusion merges it). {@code depthwise}: one filter per channel.
     */
    private Value convBn(Graph g, Weights W, Block b, String conv, String bn, Value x, int out, int k, int stride,
                         boolean depthwise, Act a) {
        HostTensor wt = W.get(conv + ".weight", out, depthwise ? 1 : x.c(), k, k);
        HostTensor gamma = W.get(bn + ".weight", out), beta = W.get(bn + ".bias", out);
        HostTensor mean = W.buffer(bn + ".running_mean", out), var = W.buffer(bn + ".running_var", out);
        Relayout.Folded f = Relayout.foldBatchNorm(wt, null, gamma, beta, mean, var, bnEps);
        int[] gy = geometry(x.h(), k, stride), gx = geometry(x.w(), k, stride);
        OpSpec op;
        if (depthwise) {
            op = new OpSpec.DwConv(Relayout.depthwise(f.weight()), f.bias(), k, k, stride, gy[1], gx[1], 1, Act.NONE);
        } else if (k == 1 && stride == 1) {
            op = new OpSpec.Gemm(Relayout.linear(f.weight()), f.bias(), Act.NONE, null, false);
        } else {
            op = new OpSpec.Conv(Relayout.conv(f.weight()), f.bias(), k, k, stride, gy[1], gx[1], Act.NONE);
        }
        Value y = g.add(b, conv, op, gy[0], gx[0], out, x);
        if (a != Act.NONE) y = g.add(b, bn + ".act", new OpSpec.Activation(a), y.h(), y.w(), out, y);
        return y;
    }

    /** Squeeze-excite: mean over pixels, reduce (act), expand (gate), scale the channels. */
    private Value squeezeExcite(Graph g, Weights W, Block b, String p, Value x, int rd, Act blockAct) {
        int c = x.c();
        Value s = g.add(b, p + ".pool", new OpSpec.AvgPool(), 1, 1, c, x);
        Act a = seAct != null ? seAct : blockAct;
        s = g.add(b, p + ".conv_reduce", Layers.linear(W, p + ".conv_reduce", c, rd, true, a), 1, 1, rd, s);
        s = g.add(b, p + ".conv_expand", Layers.linear(W, p + ".conv_expand", rd, c, true, seGate), 1, 1, c, s);
        return g.add(b, p, new OpSpec.ChannelGate(), x.h(), x.w(), c, x, s);
    }

    /**
     * Reads what the file says about the spec (widths, blocks per stage, head, classes) and
     * records the differences, naming the multiplier or flag that decides each.
     */
    private void diagnose(Weights W) {
        if (W.isSynthetic()) return;
        int[] stem = W.shapeOf("conv_stem.weight");
        if (stem != null && stem[0] != stemChs) {
            W.diagnose("channel_multiplier: the file's stem has " + stem[0] + " channels, the spec " + stemChs);
        }
        int[] fileDepths = new int[stages.size()], specDepths = new int[stages.size()];
        int[] fileOut = new int[stages.size()], specOut = new int[stages.size()];
        for (int i = 0; i < stages.size(); i++) {
            specDepths[i] = stages.get(i).size();
            specOut[i] = stages.get(i).get(specDepths[i] - 1).out();
            String p = "blocks." + i + ".";
            for (String k : W.keys()) {
                if (!k.startsWith(p)) continue;
                int dot = k.indexOf('.', p.length());
                if (dot < 0) continue;
                try {
                    fileDepths[i] = Math.max(fileDepths[i], Integer.parseInt(k.substring(p.length(), dot)) + 1);
                } catch (NumberFormatException e) {
                    // not a block index
                }
            }
            int last = fileDepths[i] - 1;
            for (String conv : new String[] {"conv_pwl", "conv_pw", "conv"}) {
                String key = p + last + "." + conv + ".weight";
                if (last >= 0 && W.has(key) && !(conv.equals("conv_pw") && W.has(p + last + ".conv_pwl.weight"))) {
                    fileOut[i] = W.shapeOf(key)[0];
                    break;
                }
            }
        }
        if (!Arrays.equals(fileDepths, specDepths)) {
            W.diagnose("depth_multiplier: blocks per stage in the file " + Arrays.toString(fileDepths) + ", the spec "
                    + Arrays.toString(specDepths));
        }
        if (!Arrays.equals(fileOut, specOut)) {
            W.diagnose("channel_multiplier: stage widths in the file " + Arrays.toString(fileOut) + ", the spec "
                    + Arrays.toString(specOut));
        }
        int[] head = W.shapeOf("conv_head.weight");
        int specHead = mnv3Head || numFeatures > 0 ? numFeatures : 0;
        if ((head == null ? 0 : head[0]) != specHead) {
            W.diagnose((family.equals("mobilenetv1") ? "head_conv" : "channel_multiplier") + ": the file's conv_head has "
                    + (head == null ? "no" : head[0]) + " channels, the spec " + (specHead == 0 ? "none" : specHead));
        }
        int[] fc = W.shapeOf("classifier.weight");
        if ((fc == null ? 0 : fc[0]) != numClasses) {
            W.diagnose("num_classes: the file has " + (fc == null ? 0 : fc[0]) + ", the spec " + numClasses);
        }
    }

    @Override
    public Graph build(Weights W, int batch, int h, int w) {
        checkInput(inChans, h, w);
        diagnose(W);
        Graph g = new Graph();
        Value x = g.input("input", batch, h, w, inChans);
        Block stem = g.block("stem", "Stem");
        x = convBn(g, W, stem, "conv_stem", "bn1", x, stemChs, 3, 2, false, act);
        int feature = 0;
        if (stemFeature) g.output("features." + feature++, x);
        for (int i = 0; i < stages.size(); i++) {
            for (Blk k : stages.get(i)) x = block(g, W, k, x);
            if (stageFeature[i]) g.output("features." + feature++, x);
        }
        Block head = g.block("head", "Head");
        int c = x.c();
        if (mnv3Head) {
            // MobileNetV3's efficient head: pool first, then a 1x1 conv with bias and no norm
            x = g.add(head, "global_pool", new OpSpec.AvgPool(), 1, 1, c, x);
            x = g.add(head, "conv_head", Layers.linear(W, "conv_head", c, numFeatures, headBias, Act.NONE), 1, 1,
                    numFeatures, x);
            x = g.add(head, "act2", new OpSpec.Activation(act), 1, 1, numFeatures, x);
            c = numFeatures;
        } else {
            if (numFeatures > 0) {
                x = convBn(g, W, head, "conv_head", "bn2", x, numFeatures, 1, 1, false, act);
                c = numFeatures;
            }
            x = g.add(head, "global_pool", new OpSpec.AvgPool(), 1, 1, c, x);
        }
        if (numClasses > 0) {
            x = g.add(head, "classifier", Layers.linear(W, "classifier", c, numClasses, true, Act.NONE), 1, 1,
                    numClasses, x);
        }
        g.output("logits", x);
        return g;
    }

    private Value block(Graph g, Weights W, Blk k, Value x) {
        String p = k.path();
        Value shortcut = x, y;
        switch (k.type()) {
            case DS, DSA -> {
                Block b = g.block(p, "DepthwiseSeparableConv");
                y = convBn(g, W, b, p + ".conv_dw", p + ".bn1", x, k.in(), k.k(), k.stride(), true, k.act());
                if (k.seChs() > 0) y = squeezeExcite(g, W, b, p + ".se", y, k.seChs(), k.act());
                y = convBn(g, W, b, p + ".conv_pw", p + ".bn2", y, k.out(), 1, 1, false,
                        k.type() == Type.DSA ? k.act() : Act.NONE);
                return residual(g, b, k, y, shortcut);
            }
            case IR -> {
                Block b = g.block(p, "InvertedResidual");
                y = convBn(g, W, b, p + ".conv_pw", p + ".bn1", x, k.mid(), 1, 1, false, k.act());
                y = convBn(g, W, b, p + ".conv_dw", p + ".bn2", y, k.mid(), k.k(), k.stride(), true, k.act());
                if (k.seChs() > 0) y = squeezeExcite(g, W, b, p + ".se", y, k.seChs(), k.act());
                y = convBn(g, W, b, p + ".conv_pwl", p + ".bn3", y, k.out(), 1, 1, false, Act.NONE);
                return residual(g, b, k, y, shortcut);
            }
            case ER -> {
                Block b = g.block(p, "EdgeResidual");
                y = convBn(g, W, b, p + ".conv_exp", p + ".bn1", x, k.mid(), k.k(), k.stride(), false, k.act());
                if (k.seChs() > 0) y = squeezeExcite(g, W, b, p + ".se", y, k.seChs(), k.act());
                y = convBn(g, W, b, p + ".conv_pwl", p + ".bn2", y, k.out(), 1, 1, false, Act.NONE);
                return residual(g, b, k, y, shortcut);
            }
            default -> {
                Block b = g.block(p, "ConvBnAct");
                y = convBn(g, W, b, p + ".conv", p + ".bn1", x, k.out(), k.k(), k.stride(), false, k.act());
                return residual(g, b, k, y, shortcut);
            }
        }
    }

    private static Value residual(Graph g, Block b, Blk k, Value y, Value shortcut) {
        if (!k.skip()) return y;
        return g.add(b, k.path() + ".residual", new OpSpec.Add(Act.NONE), y.h(), y.w(), y.c(), y, shortcut);
    }

    @Override
    public String toString() {
        return name + " (" + family.toLowerCase(Locale.ROOT) + ")";
    }
}
