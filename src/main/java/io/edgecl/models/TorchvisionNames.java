package io.edgecl.models;

import io.edgecl.tensor.HostTensor;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * torchvision classification state dicts (features.N / classifier.N) recognised as a whole and
 * renamed to timm's names. torchvision numbers its blocks in one flat sequence
 * ({@code features.N}) where timm groups them into stages ({@code blocks.S.J}), and a block's
 * layout ({@code conv.0.0} or {@code block.1.fc1}) depends on whether it has an expansion conv,
 * so no single key can be renamed on its own: the model is identified from the whole key set
 * and the shapes first.
 *
 * <p>Only models whose forward pass matches a timm model exactly are mapped; the others are
 * identified so the error can say why they are refused.
 */
final class TorchvisionNames {
    private TorchvisionNames() {}

    /** Models the mapping accepts, for error messages. */
    static final String SUPPORTED = "mobilenet_v2, efficientnet_b0..b4, convnext_tiny/small/base/large";

    /**
     * What the names say the checkpoint is. {@code timm}: the matching timm model (null when
     * refused); {@code reason}: why it is refused (null when mapped); {@code names}: file key →
     * canonical key, for every key (keys outside the recognised structure keep their name).
     */
    record Match(String torchvision, String timm, String reason, Map<String, String> names) {
        boolean mappable() {
            return reason == null;
        }
    }

    private static final Pattern FEATURE = Pattern.compile("^features\\.(\\d+)\\.(.+)$");
    private static final Pattern NESTED = Pattern.compile("^features\\.(\\d+)\\.(\\d+)\\.(.+)$");
    private static final Pattern MNV2_SIG = Pattern.compile("^features\\.\\d+\\.conv\\.");
    private static final Pattern MNV3_SIG = Pattern.compile("^features\\.\\d+\\.block\\.");
    private static final Pattern EFF_SIG = Pattern.compile("^features\\.\\d+\\.\\d+\\.block\\.");
    private static final Pattern CNX_SIG = Pattern.compile("^features\\.\\d+\\.\\d+\\.layer_scale$");

    /** torchvision MobileNetV2's inverted_residual_setting repeats, which are timm's stage depths. */
    private static final int[] MNV2_DEPTHS = {1, 2, 3, 4, 3, 3, 1};

    static Match match(Map<String, int[]> shapes) {
        boolean mnv2 = false, mnv3 = false, eff = false, cnx = false;
        for (String k : shapes.keySet()) {
            mnv2 |= MNV2_SIG.matcher(k).find();
            mnv3 |= MNV3_SIG.matcher(k).find();
            eff |= EFF_SIG.matcher(k).find();
            cnx |= CNX_SIG.matcher(k).find();
        }
        int features = featureCount(shapes);
        if (cnx) return convNext(shapes);
        if (eff) return efficientNet(shapes, features);
        if (mnv2 && features == 19) return mobileNetV2(shapes);
        if (mnv3) {
            String which =
                    features == 17 ? "mobilenet_v3_large" : features == 13 ? "mobilenet_v3_small" : "mobilenet_v3";
            // Same blocks, SE widths, activations and head as timm's mobilenetv3_*_100, but torchvision
            // builds every BatchNorm with eps 1e-3 where timm's uses 1e-5 (its tf_ variant, with 1e-3,
            // pads "same" instead): the weights would load and the outputs differ.
            return refused(
                    which,
                    "torchvision builds MobileNetV3 with BatchNorm eps 1e-3, timm's mobilenetv3_*_100 "
                            + "with 1e-5 (and tf_mobilenetv3_*, which uses 1e-3, pads 'same'), so no timm model computes the same "
                            + "outputs from these weights");
        }
        if (mnv2) {
            return refused(
                    "mobilenet_v2",
                    "it has " + features + " feature modules where mobilenet_v2 has 19 "
                            + "(a custom inverted_residual_setting)");
        }
        return refused(null, "no supported torchvision model has these names");
    }

    private static Match refused(String model, String reason) {
        return new Match(model, null, reason, null);
    }

    /** One more than the largest N in features.N. */
    private static int featureCount(Map<String, int[]> shapes) {
        int n = 0;
        for (String k : shapes.keySet()) {
            Matcher m = FEATURE.matcher(k);
            if (m.find()) n = Math.max(n, Integer.parseInt(m.group(1)) + 1);
        }
        return n;
    }

    /** Renames the leading module path of {@code rest} by the first matching (from, to) pair; null if none. */
    private static String sub(String rest, String... pairs) {
        for (int i = 0; i < pairs.length; i += 2) {
            String from = pairs[i] + ".";
            if (rest.startsWith(from)) return pairs[i + 1] + "." + rest.substring(from.length());
            if (rest.equals(pairs[i])) return pairs[i + 1];
        }
        return null;
    }

    private static Map<String, String> rename(Map<String, int[]> shapes, java.util.function.UnaryOperator<String> f) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String k : shapes.keySet()) {
            String c = f.apply(k);
            out.put(k, c == null ? k : c);
        }
        return out;
    }

    // ---- MobileNetV2 ------------------------------------------------------------------------

    private static Match mobileNetV2(Map<String, int[]> shapes) {
        int[] stem = shapes.get("features.0.0.weight");
        int[] head = shapes.get("features.18.0.weight");
        String timm = "mobilenetv2_* of the same width";
        if (stem != null && head != null && stem[0] == 32 && head[0] == 1280) timm = "mobilenetv2_100";
        return new Match("mobilenet_v2", timm, null, rename(shapes, k -> mobileNetV2Key(k, shapes)));
    }

    private static String mobileNetV2Key(String k, Map<String, int[]> shapes) {
        if (k.startsWith("classifier.")) return sub(k, "classifier.1", "classifier");
        Matcher m = FEATURE.matcher(k);
        if (!m.find()) return null;
        int n = Integer.parseInt(m.group(1));
        String rest = m.group(2);
        if (n == 0) return sub(rest, "0", "conv_stem", "1", "bn1");
        if (n == 18) return sub(rest, "0", "conv_head", "1", "bn2");
        String p = stageBlock(n - 1, MNV2_DEPTHS);
        // a block without an expansion conv (expand_ratio 1) has three modules, timm's DepthwiseSeparableConv
        boolean expands = shapes.containsKey("features." + n + ".conv.3.weight");
        String r = expands
                ? sub(
                        rest,
                        "conv.0.0",
                        "conv_pw",
                        "conv.0.1",
                        "bn1",
                        "conv.1.0",
                        "conv_dw",
                        "conv.1.1",
                        "bn2",
                        "conv.2",
                        "conv_pwl",
                        "conv.3",
                        "bn3")
                : sub(rest, "conv.0.0", "conv_dw", "conv.0.1", "bn1", "conv.1", "conv_pw", "conv.2", "bn2");
        return r == null ? null : p + r;
    }

    /** "blocks.S.J." of the i-th block (from 0) when stages hold {@code depths} blocks. */
    private static String stageBlock(int i, int[] depths) {
        for (int s = 0; s < depths.length; s++) {
            if (i < depths[s]) return "blocks." + s + "." + i + ".";
            i -= depths[s];
        }
        return "blocks." + depths.length + "." + i + ".";
    }

    // ---- EfficientNet -----------------------------------------------------------------------

    /** torchvision efficientnet_bN's head width (4 × the last stage's width) for N = 0..7, b0 and b1 alike. */
    private static final int[] EFF_HEADS = {1280, 1280, 1408, 1536, 1792, 2048, 2304, 2560};

    private static Match efficientNet(Map<String, int[]> shapes, int features) {
        int[] first = shapes.get("features.1.0.block.0.0.weight");
        if (first != null && first.length == 4 && first[1] != 1) {
            // FusedMBConv: a full 3x3 conv where EfficientNet (V1) has a depthwise one
            return refused(
                    "efficientnet_v2",
                    "torchvision builds EfficientNetV2 with BatchNorm eps 1e-3, timm's "
                            + "efficientnetv2_* with 1e-5 (and its tf_ variants pad 'same'), so no timm model computes the same "
                            + "outputs from these weights");
        }
        if (features != 9) {
            return refused("efficientnet", "it has " + features + " feature modules where efficientnet_b* has 9");
        }
        int[] head = shapes.get("features.8.0.weight");
        int stage0 = 0;
        for (String k : shapes.keySet()) {
            Matcher m = NESTED.matcher(k);
            if (m.find() && m.group(1).equals("1")) stage0 = Math.max(stage0, Integer.parseInt(m.group(2)) + 1);
        }
        int b = -1;
        for (int i = 0; i < EFF_HEADS.length && head != null; i++) {
            if (EFF_HEADS[i] == head[0]) {
                b = i;
                break;
            }
        }
        if (b == 0 && stage0 == 2) b = 1; // b1 differs from b0 only in depth (×1.1: two blocks in the first stage)
        if (b < 0) {
            return refused(
                    "efficientnet",
                    "its head width " + (head == null ? "(none)" : head[0]) + " is none of efficientnet_b0..b7's");
        }
        String tv = "efficientnet_b" + b;
        if (b > 4) {
            return refused(
                    tv,
                    "torchvision builds efficientnet_b5..b7 with BatchNorm eps 1e-3 (b0..b4 with 1e-5, as "
                            + "timm's efficientnet_b* do), so no supported timm model computes the same outputs");
        }
        return new Match(tv, tv, null, rename(shapes, k -> efficientNetKey(k, shapes)));
    }

    private static String efficientNetKey(String k, Map<String, int[]> shapes) {
        if (k.startsWith("classifier.")) return sub(k, "classifier.1", "classifier");
        Matcher f = FEATURE.matcher(k);
        if (!f.find()) return null;
        int n = Integer.parseInt(f.group(1));
        if (n == 0) return sub(f.group(2), "0", "conv_stem", "1", "bn1");
        if (n == 8) return sub(f.group(2), "0", "conv_head", "1", "bn2");
        Matcher m = NESTED.matcher(k);
        if (!m.find()) return null;
        String base = "features." + n + "." + m.group(2) + ".";
        String p = "blocks." + (n - 1) + "." + m.group(2) + ".";
        // MBConv without an expansion conv (expand_ratio 1): dw, SE, project — timm's DepthwiseSeparableConv
        boolean expands = shapes.containsKey(base + "block.3.0.weight");
        String r = expands
                ? sub(
                        m.group(3),
                        "block.0.0",
                        "conv_pw",
                        "block.0.1",
                        "bn1",
                        "block.1.0",
                        "conv_dw",
                        "block.1.1",
                        "bn2",
                        "block.2.fc1",
                        "se.conv_reduce",
                        "block.2.fc2",
                        "se.conv_expand",
                        "block.3.0",
                        "conv_pwl",
                        "block.3.1",
                        "bn3")
                : sub(
                        m.group(3),
                        "block.0.0",
                        "conv_dw",
                        "block.0.1",
                        "bn1",
                        "block.1.fc1",
                        "se.conv_reduce",
                        "block.1.fc2",
                        "se.conv_expand",
                        "block.2.0",
                        "conv_pw",
                        "block.2.1",
                        "bn2");
        return r == null ? null : p + r;
    }

    // ---- ConvNeXt ---------------------------------------------------------------------------

    private static Match convNext(Map<String, int[]> shapes) {
        int[] stem = shapes.get("features.0.0.weight");
        TreeMap<Integer, Integer> depth = new TreeMap<>();
        for (String k : shapes.keySet()) {
            Matcher m = NESTED.matcher(k);
            if (m.find() && m.group(3).equals("layer_scale")) {
                depth.merge(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)) + 1, Math::max);
            }
        }
        int dim = stem == null ? 0 : stem[0];
        int d2 = depth.getOrDefault(5, 0);
        String size = dim == 96 && d2 == 9
                ? "tiny"
                : dim == 96 && d2 == 27
                        ? "small"
                        : dim == 128 && d2 == 27 ? "base" : dim == 192 && d2 == 27 ? "large" : null;
        String tv = size == null ? "convnext" : "convnext_" + size;
        String timm = size == null ? "convnext (dims from " + dim + ", stage depths " + depth.values() + ")" : tv;
        return new Match(tv, timm, null, rename(shapes, TorchvisionNames::convNextKey));
    }

    private static String convNextKey(String k) {
        if (k.startsWith("classifier.")) return sub(k, "classifier.0", "head.norm", "classifier.2", "head.fc");
        Matcher f = FEATURE.matcher(k);
        if (!f.find()) return null;
        int n = Integer.parseInt(f.group(1));
        if (n == 0) return sub(f.group(2), "0", "stem.0", "1", "stem.1");
        if (n % 2 == 0) {
            // the downsample between stages: LayerNorm2d then a 2x2 stride-2 conv
            return sub(f.group(2), "0", "stages." + n / 2 + ".downsample.0", "1", "stages." + n / 2 + ".downsample.1");
        }
        Matcher m = NESTED.matcher(k);
        if (!m.find()) return null;
        String p = "stages." + (n - 1) / 2 + ".blocks." + m.group(2) + ".";
        // block.1 and block.6 are permutes, block.4 the GELU: no parameters
        String r = sub(
                m.group(3),
                "block.0",
                "conv_dw",
                "block.2",
                "norm",
                "block.3",
                "mlp.fc1",
                "block.5",
                "mlp.fc2",
                "layer_scale",
                "gamma");
        return r == null ? null : p + r;
    }

    /**
     * The tensor as timm stores it under its canonical name: ConvNeXt's layer_scale is
     * [C, 1, 1] in torchvision (it multiplies an NCHW tensor), timm's gamma [C].
     */
    static HostTensor convert(String canonical, HostTensor t) {
        if (canonical.endsWith(".gamma") && t.rank() == 3 && t.dim(1) == 1 && t.dim(2) == 1) return t.reshape(t.dim(0));
        return t;
    }
}
