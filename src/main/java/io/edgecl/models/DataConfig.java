package io.edgecl.models;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.edgecl.EdgeClException;
import io.edgecl.io.image.Interpolation;
import io.edgecl.io.image.Preprocess;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a spec says about a model's data rather than its architecture, under timm's
 * {@code pretrained_cfg} names: {@code input_size}, {@code crop_pct}, {@code interpolation},
 * {@code mean}, {@code std}, and the class names ({@code labels}, or {@code label_names} with
 * optional {@code label_descriptions}, as timm's hub {@code config.json} has them). Each may stand
 * at the top of the spec or inside a {@code pretrained_cfg} object; the top level wins. The
 * other pretrained_cfg keys (tag, pool_size, first_conv, license, ...) describe the checkpoint,
 * not its preprocessing, and are ignored.
 */
public record DataConfig(
        Integer inputSize, Double cropPct, String interpolation, float[] mean, float[] std, List<String> labels) {

    /** The keys a spec may carry about its data (besides a {@code pretrained_cfg} object holding them). */
    public static final List<String> KEYS = List.of(
            "input_size",
            "crop_pct",
            "interpolation",
            "mean",
            "std",
            "labels",
            "label_names",
            "label_descriptions",
            "crop_mode");

    public static final DataConfig NONE = new DataConfig(null, null, null, null, null, null);

    /** Removes the data keys (and {@code pretrained_cfg}) from {@code spec} and returns them, checked. */
    public static DataConfig take(JsonObject spec) {
        JsonObject cfg = new JsonObject();
        if (spec.has("pretrained_cfg")) {
            JsonElement p = spec.remove("pretrained_cfg");
            if (!p.isJsonObject()) throw bad("pretrained_cfg", "an object");
            for (Map.Entry<String, JsonElement> e : p.getAsJsonObject().entrySet()) cfg.add(e.getKey(), e.getValue());
        }
        for (String k : KEYS) {
            if (spec.has(k)) cfg.add(k, spec.remove(k));
        }
        Integer size = null;
        if (present(cfg, "input_size")) size = inputSize(cfg.get("input_size"));
        Double crop = null;
        if (present(cfg, "crop_pct")) {
            crop = number(cfg.get("crop_pct"), "crop_pct");
            if (!(crop > 0 && crop <= 4)) throw bad("crop_pct", "in (0, 4], got " + crop);
        }
        String interp = null;
        if (present(cfg, "interpolation")) {
            String name = string(cfg.get("interpolation"), "interpolation");
            try {
                interp = Interpolation.parse(name).id();
            } catch (EdgeClException e) {
                throw bad("interpolation", "bicubic, bilinear, nearest, box, hamming or lanczos, got '" + name + "'");
            }
        }
        if (present(cfg, "crop_mode")) {
            String mode = string(cfg.get("crop_mode"), "crop_mode");
            if (!mode.equals("center")) {
                throw bad("crop_mode", "'center' (timm's '" + mode + "' crop is not supported)");
            }
        }
        float[] mean = present(cfg, "mean") ? triple(cfg.get("mean"), "mean", false) : null;
        float[] std = present(cfg, "std") ? triple(cfg.get("std"), "std", true) : null;
        List<String> labels = null;
        if (present(cfg, "labels")) {
            labels = names(cfg.get("labels"), "labels");
        } else if (present(cfg, "label_names")) {
            labels = names(cfg.get("label_names"), "label_names");
            if (present(cfg, "label_descriptions")) labels = described(labels, cfg.get("label_descriptions"));
        }
        return new DataConfig(size, crop, interp, mean, std, labels);
    }

    public boolean isEmpty() {
        return inputSize == null
                && cropPct == null
                && interpolation == null
                && mean == null
                && std == null
                && labels == null;
    }

    /** The model with this preprocessing over its family's defaults, and these class names. */
    public VisionModel apply(VisionModel m) {
        if (isEmpty()) return m;
        if (labels != null && labels.size() != m.numClasses()) {
            throw new ModelSpecException(
                    "labels: " + labels.size() + " names but the model has num_classes " + m.numClasses());
        }
        Preprocess d = m.preprocess();
        Preprocess p = new Preprocess(
                inputSize != null ? inputSize : d.size(),
                cropPct != null ? cropPct : d.cropPct(),
                interpolation != null ? interpolation : d.interpolation(),
                mean != null ? mean : d.mean(),
                std != null ? std : d.std());
        if (inputSize != null) {
            try {
                m.checkInput(3, inputSize, inputSize);
            } catch (ModelSpecException e) {
                throw new ModelSpecException("input_size: " + e.getMessage());
            }
        }
        return new ConfiguredModel(m, p, labels != null ? List.copyOf(labels) : m.labels());
    }

    private static boolean present(JsonObject o, String k) {
        return o.has(k) && !o.get(k).isJsonNull();
    }

    private static int inputSize(JsonElement e) {
        if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber()) return positive(e, "input_size");
        if (e.isJsonArray()) {
            JsonArray a = e.getAsJsonArray();
            if (a.size() == 3) {
                int c = positive(a.get(0), "input_size[0]"),
                        h = positive(a.get(1), "input_size[1]"),
                        w = positive(a.get(2), "input_size[2]");
                if (c != 3) throw bad("input_size[0]", "3 (RGB channels), got " + c);
                if (h != w) throw bad("input_size", "square ([3, S, S]), got [3, " + h + ", " + w + "]");
                return h;
            }
        }
        throw bad("input_size", "an integer or [3, S, S]");
    }

    private static int positive(JsonElement e, String key) {
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) throw bad(key, "an integer");
        double d = e.getAsDouble();
        if (d != Math.rint(d) || d < 1 || d > 8192) throw bad(key, "an integer in [1, 8192], got " + e);
        return (int) d;
    }

    private static double number(JsonElement e, String key) {
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) throw bad(key, "a number");
        return e.getAsDouble();
    }

    private static String string(JsonElement e, String key) {
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) throw bad(key, "a string");
        return e.getAsString();
    }

    private static float[] triple(JsonElement e, String key, boolean positive) {
        if (!e.isJsonArray() || e.getAsJsonArray().size() != 3) throw bad(key, "a list of 3 numbers");
        float[] v = new float[3];
        for (int i = 0; i < 3; i++) {
            double d = number(e.getAsJsonArray().get(i), key + "[" + i + "]");
            if (!Double.isFinite(d) || (positive && d <= 0))
                throw bad(key + "[" + i + "]", positive ? "positive" : "finite");
            v[i] = (float) d;
        }
        return v;
    }

    /** A list of names, or timm's {index: name} map (which may have gaps only if every index is given). */
    private static List<String> names(JsonElement e, String key) {
        List<String> out = new ArrayList<>();
        if (e.isJsonArray()) {
            for (JsonElement x : e.getAsJsonArray()) out.add(string(x, key + "[" + out.size() + "]"));
            return out;
        }
        if (e.isJsonObject()) {
            TreeMap<Integer, String> byIndex = new TreeMap<>();
            for (Map.Entry<String, JsonElement> x : e.getAsJsonObject().entrySet()) {
                int i;
                try {
                    i = Integer.parseInt(x.getKey());
                } catch (NumberFormatException ex) {
                    throw bad(key, "a list of names or {\"index\": name}, got key '" + x.getKey() + "'");
                }
                byIndex.put(i, string(x.getValue(), key + "." + x.getKey()));
            }
            for (int i = 0; i < byIndex.size(); i++) {
                if (!byIndex.containsKey(i))
                    throw bad(key, "indices 0.." + (byIndex.size() - 1) + "; " + i + " is missing");
                out.add(byIndex.get(i));
            }
            return out;
        }
        throw bad(key, "a list of class names");
    }

    private static List<String> described(List<String> names, JsonElement e) {
        if (!e.isJsonObject()) throw bad("label_descriptions", "an object {name: description}");
        JsonObject d = e.getAsJsonObject();
        List<String> out = new ArrayList<>();
        for (String n : names) {
            JsonElement x = d.get(n);
            out.add(x != null && x.isJsonPrimitive() ? x.getAsString() : n);
        }
        return out;
    }

    private static ModelSpecException bad(String key, String what) {
        return new ModelSpecException("'" + key + "' must be " + what);
    }
}
