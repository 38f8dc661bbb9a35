package io.edgecl.models;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.edgecl.io.image.Preprocess;
import io.edgecl.models.ArchStrings.BlockDef;
import io.edgecl.models.ArchStrings.Type;
import io.edgecl.models.EfficientNetVariants.Gen;
import io.edgecl.models.EfficientNetVariants.Variant;
import io.edgecl.ops.Act;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One EfficientNet-builder network as decoded from its configuration: every block with its
 * channels after rounding, and the stem, head and normalisation settings. {@code tf_} variants
 * use TensorFlow "same" padding and BatchNorm eps 1e-3 unless pad_type / bn_eps say otherwise.
 */
record EfficientNetConfig(
        String name,
        String family,
        Preprocess preprocess,
        List<List<EfficientNetConfig.Blk>> stages,
        int stemChs,
        int numFeatures,
        int numClasses,
        int inChans,
        boolean mnv3Head,
        boolean headBias,
        boolean samePad,
        Act act,
        Act seAct,
        Act seGate,
        double bnEps,
        boolean headNorm,
        boolean layerScale,
        EfficientNetConfig.Aa aa) {
    /**
     * timm's anti-aliasing of strided convs (aa_layer): none, or the conv at stride 1 followed by
     * a 2×2 average pool ("avg") or a 3×3 binomial blur with zero padding at stride 2 ("blurpc").
     */
    enum Aa {
        NONE,
        AVG,
        BLUR
    }

    /**
     * One block as built: channels after rounding, stride (1 where the output stride turned it into
     * dilation; {@code baseStride} the architecture's), dilation, activation, SE width (0: none)
     * and shortcut. uir: {@code k} the middle depthwise kernel, {@code dwStart}/{@code dwEnd} those
     * around it (0: none); mqa: {@code k} the key/value downsampling kernel, {@code heads},
     * {@code keyDim}, {@code kvStride}.
     */
    record Blk(
            Type type,
            String path,
            int in,
            int out,
            int mid,
            int k,
            int stride,
            int baseStride,
            int dilation,
            Act act,
            int seChs,
            boolean skip,
            int dwStart,
            int dwEnd,
            int heads,
            int keyDim,
            int kvStride) {}

    /** Decodes a configuration of {@code family} (a registered name's, or a user's JSON). */
    static EfficientNetConfig parse(String registered, JsonObject json, String family) {
        SpecReader r = new SpecReader(json, family);
        List<String> known = EfficientNetVariants.of(family);
        String vname = r.string("variant", null, known.toArray(new String[0]));
        if (vname == null) {
            throw new ModelSpecException(family + " configuration: 'variant' (a timm model name: "
                    + String.join(", ", known) + ") is required");
        }
        Variant var = EfficientNetVariants.get(vname);
        Gen gen = var.gen();
        boolean rw = gen == Gen.EFFV2_S && r.bool("rw", var.rw());
        String[][] arch = EfficientNetVariants.arch(gen, vname, rw);
        double ch = r.number("channel_multiplier", var.channel());
        if (ch < 0 || Double.isNaN(ch))
            throw new ModelSpecException(family + " configuration: 'channel_multiplier' must be >= 0");
        boolean mnv4 = gen == Gen.MNV4;
        // MobileNetV4's generator takes no depth multiplier
        double[] depth = mnv4 ? filled(arch.length, 1.0) : depthMultiplier(r, json, family, var, arch.length);
        boolean fsh = gen == Gen.MNV1 || gen == Gen.MNV2 ? r.bool("fix_stem_head", var.fixStemHead()) : false;
        boolean headConv = gen == Gen.MNV1 && r.bool("head_conv", var.headConv());
        int divisor = gen == Gen.EFFNET ? r.integer("channel_divisor", 8) : 8;
        if (divisor <= 0) throw new ModelSpecException(family + " configuration: 'channel_divisor' must be positive");
        JsonElement gs = json.get("group_size");
        r.ignore("group_size");
        if (gs != null && !gs.isJsonNull()) {
            throw new ModelSpecException(
                    family + " configuration: 'group_size' (grouped convs) is not supported; " + "leave it null");
        }
        boolean tf = vname.startsWith("tf_");
        double eps = r.number("bn_eps", tf ? 1e-3 : 1e-5);
        if (!(eps > 0)) throw new ModelSpecException(family + " configuration: 'bn_eps' must be positive");
        r.ignore("bn_momentum", "drop_rate", "drop_path_rate");
        boolean same = r.string("pad_type", tf ? "same" : "", "", "same").equals("same");
        r.string("global_pool", "avg", "avg");
        int outputStride = r.integer("output_stride", 32);
        if (outputStride != 8 && outputStride != 16 && outputStride != 32) {
            throw new ModelSpecException(
                    family + " configuration: 'output_stride' must be 8, 16 or 32, got " + outputStride);
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
            case MNV4 -> vname.contains("hybrid") && vname.contains("large") ? "gelu" : "relu";
            default -> "silu";
        };
        Act act = ArchStrings.activation("act_layer", r.string("act_layer", defAct));
        boolean headBias = gen == Gen.MNV3 && r.bool("head_bias", true);
        Aa aa = Aa.NONE;
        if (mnv4) {
            String defAa = vname.contains("_aa_") ? "avg" : vname.contains("_blur_") ? "blurpc" : "";
            aa = switch (r.string("aa_layer", defAa, "", "avg", "blurpc")) {
                case "avg" -> Aa.AVG;
                case "blurpc" -> Aa.BLUR;
                default -> Aa.NONE;
            };
        }
        r.finish();

        double roundLimit = gen == Gen.EFFV2_BASE ? 0.0 : 0.9;
        java.util.function.IntUnaryOperator rc = c -> ArchStrings.roundChannels(c, ch, divisor, roundLimit);
        int stem = switch (gen) {
            case MNV3 -> 16;
            case EFFV2_S, EFFV2_M -> 24;
            default -> 32;
        };
        if (mnv4) stem = MobileNetV4Arch.stem(vname);
        boolean fixStem = gen == Gen.MNV3 ? ch < 0.75 : mnv4 ? ch < 1.0 : fsh;
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
        // timm's builder: a stride that would pass the output stride becomes dilation; the block
        // that had it keeps the dilation reached before, the ones after take the new one
        int reached = 2, dilation = 1;
        for (int i = 0; i < defs.size(); i++) {
            List<Blk> blocks = new ArrayList<>();
            for (int j = 0; j < defs.get(i).size(); j++) {
                BlockDef d = defs.get(i).get(j);
                int baseStride = j == 0 ? d.stride() : 1, stride = baseStride, blockDilation = dilation;
                if (stride > 1) {
                    if (reached * stride > outputStride) {
                        dilation *= stride;
                        stride = 1;
                    } else {
                        reached *= stride;
                    }
                }
                int out = rc.applyAsInt(d.outChs());
                int mid = switch (d.type()) {
                    case IR, UIR -> ArchStrings.makeDivisible(in * d.expRatio());
                    case ER ->
                        ArchStrings.makeDivisible(
                                (d.forceInChs() > 0 ? rc.applyAsInt(d.forceInChs()) : in) * d.expRatio());
                    case CN -> out;
                    default -> in;
                };
                int se = 0;
                if (d.seRatio() > 0) {
                    double ratio = seFromExp ? d.seRatio() : d.seRatio() / d.expRatio();
                    // MobileNetV3 rounds the squeeze width to a multiple of 8, the others with Python's round()
                    se = seFromExp ? ArchStrings.makeDivisible(mid * ratio) : (int) Math.rint(mid * ratio);
                }
                boolean skip = d.type() == Type.CN
                        ? d.skip() && stride == 1 && in == out
                        : stride == 1 && in == out && !d.noskip();
                blocks.add(new Blk(
                        d.type(),
                        "blocks." + i + "." + j,
                        in,
                        out,
                        mid,
                        d.kernel(),
                        stride,
                        baseStride,
                        blockDilation,
                        d.act() != null ? d.act() : act,
                        se,
                        skip,
                        d.dwStart(),
                        d.dwEnd(),
                        d.heads(),
                        d.keyDim(),
                        d.kvStride()));
                in = out;
            }
            stages.add(blocks);
        }
        String display = registered != null ? registered : "custom " + family;
        return new EfficientNetConfig(
                display,
                family,
                var.preprocess(),
                stages,
                stem,
                numFeatures,
                classes,
                inChans,
                gen == Gen.MNV3,
                headBias,
                same,
                act,
                gen == Gen.MNV3 ? Act.RELU : null,
                gen == Gen.MNV3 ? Act.HSIGMOID : Act.SIGMOID,
                eps,
                mnv4,
                mnv4 && vname.contains("hybrid"),
                aa);
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
}
