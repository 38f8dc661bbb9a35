package io.edgecl.models;

import io.edgecl.tensor.HostTensor;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Naming schemes of published checkpoints, and how each maps onto the canonical names the models use
 * (timm's names; for EdgeViT, which timm lacks, the official repository's names).
 */
public enum KeyLayout {
    /** timm names: canonical as they are. */
    TIMM(KeyLayout::identity),
    /** github.com/mmaaz60/EdgeNeXt names. */
    OFFICIAL_EDGENEXT(KeyLayout::officialEdgeNextKey),
    /** github.com/hkzhang91/EdgeViT names: canonical as they are. */
    OFFICIAL_EDGEVIT(KeyLayout::identity),
    /**
     * github.com/apple/ml-cvnets names (conv_1 / layer_N / conv_1x1_exp / classifier.fc; under
     * "encoder." in its segmentation and detection models): MobileViT's to timm's, the heads'
     * as they are.
     */
    OFFICIAL_CVNETS(KeyLayout::cvnetsKey),
    /**
     * torchvision classification names (features.N / classifier.N): mapped as a whole state dict,
     * for the models whose forward pass matches a timm model exactly (see {@link #canonicalNames}).
     */
    TORCHVISION(null),
    /**
     * torchvision segmentation and detection names (backbone.N / classifier / head): the models
     * that embed a torchvision backbone use these names as their own.
     */
    TORCHVISION_DENSE(KeyLayout::identity),
    /** Nothing recognised: names are passed through unchanged. */
    UNKNOWN(KeyLayout::identity);

    private static final Pattern OFF_DOWNSAMPLE = Pattern.compile("^downsample_layers\\.(\\d+)\\.(\\d+)\\.");
    private static final Pattern OFF_BLOCK = Pattern.compile("^stages\\.(\\d+)\\.(\\d+)\\.");
    private static final Pattern EDGEVIT =
            Pattern.compile("^(patch_embed[1-4]\\.|blocks[1-4]\\.\\d+\\.(LocalAgg|SelfAttn)\\.)");
    private static final Pattern TIMM_SIG = Pattern.compile(
            "^(stem\\.|stages\\.\\d+\\.(blocks|downsample)\\.|head\\.fc\\.|head\\.norm\\.|conv_stem\\.|bn1\\.|blocks\\.\\d+\\.\\d+\\.|conv_head\\.|classifier\\.(weight|bias)$|final_conv\\.)");
    private static final Pattern TORCHVISION_DENSE_SIG = Pattern.compile("^backbone\\.(body\\.|features\\.)?\\d+\\.");
    private static final Pattern TORCHVISION_SIG = Pattern.compile("^(features\\.\\d+\\.|classifier\\.\\d+\\.)");
    private static final Pattern CVNETS_SIG =
            Pattern.compile("^(encoder\\.)?(conv_1\\.block\\.|layer_[1-5]\\.\\d+\\.)");
    private static final Pattern CVNETS_LAYER = Pattern.compile("^layer_([1-9])\\.(\\d+)\\.");
    private static final Pattern CVNETS_TRANSFORMER = Pattern.compile("^global_rep\\.(\\d+)\\.");

    private final UnaryOperator<String> rename;

    KeyLayout(UnaryOperator<String> rename) {
        this.rename = rename;
    }

    /** Picks the layout whose signature names occur in {@code keys}. */
    public static KeyLayout detect(Set<String> keys) {
        boolean downsample = false;
        int edgenext = 0;
        int edgevit = 0;
        int timm = 0;
        int tv = 0;
        int dense = 0;
        int cvnets = 0;
        for (String k : keys) {
            if (CVNETS_SIG.matcher(k).find()) cvnets++;
            if (TORCHVISION_DENSE_SIG.matcher(k).find()) dense++;
            downsample |= k.startsWith("downsample_layers.");
            if (OFF_BLOCK.matcher(k).find()) edgenext++;
            if (EDGEVIT.matcher(k).find()) edgevit++;
            if (TIMM_SIG.matcher(k).find()) timm++;
            if (TORCHVISION_SIG.matcher(k).find()) tv++;
        }
        if (cvnets > 0 && cvnets >= timm && cvnets >= edgevit) return OFFICIAL_CVNETS;
        if (edgevit > 0 && edgevit >= edgenext) return OFFICIAL_EDGEVIT;
        if (downsample && edgenext > 0) return OFFICIAL_EDGENEXT;
        if (dense > 0 && dense >= timm) return TORCHVISION_DENSE;
        if (timm > 0) return TIMM;
        if (tv > 0) return TORCHVISION;
        return UNKNOWN;
    }

    /**
     * Resolves a {@code --key-format} value: {@code timm}, {@code official} (EdgeNeXt, EdgeViT or
     * ml-cvnets, whichever the names fit), {@code torchvision} or {@code auto}/null (detect).
     */
    public static KeyLayout resolve(String keyFormat, Set<String> keys) {
        String f = keyFormat == null ? "auto" : keyFormat.trim().toLowerCase(Locale.ROOT);
        return switch (f) {
            case "auto", "" -> detect(keys);
            case "timm" -> TIMM;
            case "torchvision" -> detect(keys) == TORCHVISION_DENSE ? TORCHVISION_DENSE : TORCHVISION;
            case "official", "official-pth" -> {
                KeyLayout d = detect(keys);
                yield d == OFFICIAL_EDGEVIT || d == OFFICIAL_CVNETS ? d : OFFICIAL_EDGENEXT;
            }
            default ->
                throw new KeyLayoutException(
                        "unknown key format '" + keyFormat + "' (expected auto, timm, official or torchvision)");
        };
    }

    /**
     * The canonical name of one key, for layouts that rename key by key. torchvision names need
     * the whole key set ({@link #canonicalNames}).
     */
    public String canonicalKey(String key) {
        if (rename == null) {
            throw new KeyLayoutException("tensor names in the " + name().toLowerCase(Locale.ROOT) + " layout (e.g. '"
                    + key + "') are mapped as a whole state dict, not one by one");
        }
        return rename.apply(key);
    }

    /**
     * The canonical name of every key, given every key's shape: file key → canonical key, in the
     * order given. Throws {@link KeyLayoutException} for a torchvision checkpoint of a model
     * without an exact timm counterpart, naming what was recognised and what is supported.
     */
    public Map<String, String> canonicalNames(Map<String, int[]> shapes) {
        if (this == TORCHVISION) {
            TorchvisionNames.Match m = TorchvisionNames.match(shapes);
            if (!m.mappable()) {
                throw new KeyLayoutException((m.torchvision() == null
                                ? "torchvision-style tensor names (features.N / classifier.N) of an unrecognised model"
                                : "torchvision " + m.torchvision() + " checkpoint")
                        + " cannot be mapped to timm's names: "
                        + m.reason() + "; supported torchvision models: " + TorchvisionNames.SUPPORTED
                        + " (or use timm weights)");
            }
            return m.names();
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (String k : shapes.keySet()) out.put(k, canonicalKey(k));
        return out;
    }

    /**
     * What the names say about the source model, for reports: for torchvision checkpoints the
     * model recognised and its timm counterpart, or why it has none; null for other layouts.
     */
    public String describe(Map<String, int[]> shapes) {
        if (this != TORCHVISION) return null;
        TorchvisionNames.Match m = TorchvisionNames.match(shapes);
        String what = m.torchvision() == null ? "unrecognised torchvision model" : m.torchvision();
        return m.mappable() ? what + " (timm " + m.timm() + ")" : what + " (not mappable: " + m.reason() + ")";
    }

    /** Renames every tensor. */
    public Map<String, HostTensor> toCanonical(Map<String, HostTensor> tensors) {
        return toCanonical(tensors, Map.of());
    }

    /**
     * Renames every tensor; where {@code modelShapes} gives a different shape with the same element
     * count for a canonical name (a Linear stored as a 1x1 conv, a per-head scalar as [h] vs [h,1,1]),
     * the tensor is reshaped to it, as timm's checkpoint filters do.
     */
    public Map<String, HostTensor> toCanonical(Map<String, HostTensor> tensors, Map<String, int[]> modelShapes) {
        Map<String, int[]> shapes = new LinkedHashMap<>();
        tensors.forEach((k, t) -> shapes.put(k, t.shape()));
        Map<String, String> names = canonicalNames(shapes);
        Map<String, HostTensor> out = new LinkedHashMap<>();
        for (var e : tensors.entrySet()) {
            String k = names.get(e.getKey());
            HostTensor t = e.getValue();
            if (this == TORCHVISION) t = TorchvisionNames.convert(k, t);
            int[] want = modelShapes.get(k);
            if (want != null && !java.util.Arrays.equals(want, t.shape())) {
                if (HostTensor.numel(want) != t.numel()) {
                    throw new KeyLayoutException("tensor '" + e.getKey() + "' (" + k + ") has shape " + t.shapeString()
                            + " but the model expects " + java.util.Arrays.toString(want));
                }
                t = t.reshape(want);
            }
            HostTensor prev = out.put(k, t);
            if (prev != null) {
                throw new KeyLayoutException("tensors '" + e.getKey() + "' and another both map to '" + k + "' in the "
                        + name().toLowerCase(Locale.ROOT) + " layout");
            }
        }
        return out;
    }

    private static String identity(String k) {
        return k;
    }

    /** An ml-cvnets name as EdgeCL's: MobileViT's under timm's names (kept under "encoder."), the rest unchanged. */
    static String cvnetsKey(String k) {
        String prefix = "";
        if (k.startsWith("encoder.")) {
            prefix = "encoder.";
            k = k.substring(prefix.length());
        } else if (k.startsWith("seg_head.") || k.startsWith("ssd_heads.") || k.startsWith("extra_layers.")) {
            return k;
        }
        String r = cvnetsMobileVitKey(k);
        return prefix + (r != null ? r : k);
    }

    /** ml-cvnets' MobileViT (v1) name as timm's, or null for a name it does not use. */
    private static String cvnetsMobileVitKey(String k) {
        if (k.startsWith("conv_1.block.")) return "stem." + cvnetsConvNorm(k.substring("conv_1.block.".length()));
        if (k.startsWith("conv_1x1_exp.block.")) {
            return "final_conv." + cvnetsConvNorm(k.substring("conv_1x1_exp.block.".length()));
        }
        if (k.startsWith("classifier.fc.")) return "head.fc." + k.substring("classifier.fc.".length());
        Matcher m = CVNETS_LAYER.matcher(k);
        if (!m.find()) return null;
        String base = "stages." + (Integer.parseInt(m.group(1)) - 1) + "." + m.group(2) + ".";
        String r = k.substring(m.end());
        String[][] convs = {
            {"block.exp_1x1.block.", "conv1_1x1."},
            {"block.conv_3x3.block.", "conv2_kxk."},
            {"block.red_1x1.block.", "conv3_1x1."},
            {"local_rep.conv_3x3.block.", "conv_kxk."},
            {"conv_proj.block.", "conv_proj."},
            {"fusion.block.", "conv_fusion."}
        };
        for (String[] c : convs)
            if (r.startsWith(c[0])) return base + c[1] + cvnetsConvNorm(r.substring(c[0].length()));
        // the projection into the transformer: a bare conv, timm's conv_1x1
        if (r.startsWith("local_rep.conv_1x1.block.conv.")) {
            return base + "conv_1x1." + r.substring("local_rep.conv_1x1.block.conv.".length());
        }
        Matcher t = CVNETS_TRANSFORMER.matcher(r);
        if (t.find()) {
            String layer = t.group(1), q = r.substring(t.end());
            String[][] parts = {
                {"pre_norm_mha.0.", "norm1."},
                {"pre_norm_mha.1.qkv_proj.", "attn.qkv."},
                {"pre_norm_mha.1.out_proj.", "attn.proj."},
                {"pre_norm_ffn.0.", "norm2."},
                {"pre_norm_ffn.1.", "mlp.fc1."},
                {"pre_norm_ffn.4.", "mlp.fc2."}
            };
            for (String[] p : parts)
                if (q.startsWith(p[0])) return base + "transformer." + layer + "." + p[1] + q.substring(p[0].length());
            // global_rep's last entry is the LayerNorm after the transformer layers
            if (q.equals("weight") || q.equals("bias")) return base + "norm." + q;
        }
        return null;
    }

    /** ml-cvnets' ConvLayer parts (conv / norm) as timm's ConvNormAct's (conv / bn). */
    private static String cvnetsConvNorm(String r) {
        return r.startsWith("norm.") ? "bn." + r.substring("norm.".length()) : r;
    }

    static String officialEdgeNextKey(String k) {
        if (k.startsWith("downsample_layers.0.")) {
            k = "stem." + k.substring("downsample_layers.0.".length());
        } else {
            Matcher m = OFF_DOWNSAMPLE.matcher(k);
            if (m.find()) k = "stages." + m.group(1) + ".downsample." + m.group(2) + "." + k.substring(m.end());
        }
        Matcher b = OFF_BLOCK.matcher(k);
        if (b.find()) k = "stages." + b.group(1) + ".blocks." + b.group(2) + "." + k.substring(b.end());
        k = k.replace(".dwconv.", ".conv_dw.").replace(".pwconv1.", ".mlp.fc1.").replace(".pwconv2.", ".mlp.fc2.");
        if (k.startsWith("head.")) {
            k = "head.fc." + k.substring("head.".length());
        } else if (k.startsWith("norm.")) {
            k = "head.norm." + k.substring("norm.".length());
        }
        return k;
    }
}
