package io.edgecl.models;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonSyntaxException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiFunction;

/** The model registry and the parser of {@code --model-config} specs. */
public final class Models {
    /**
     * A model family: its registered variants (name → constructor arguments as JSON, under the
     * upstream's names) and the parser that builds a model from such arguments.
     */
    public record Family(
            String name, Map<String, String> variants, BiFunction<String, JsonObject, VisionModel> parser) {}

    /** Every family, in the order `edgecl models` lists them. One line registers a family. */
    public static final List<Family> FAMILIES = List.of(
            new Family("edgenext", EdgeNeXt.VARIANTS, EdgeNeXt::fromJson),
            new Family("convnext", ConvNeXt.VARIANTS, ConvNeXt::fromJson),
            new Family("edgevit", EdgeViT.VARIANTS, EdgeViT::fromJson),
            new Family("mobilenetv1", EfficientNets.MOBILENET_V1, EfficientNets::mobilenetV1),
            new Family("mobilenetv2", EfficientNets.MOBILENET_V2, EfficientNets::mobilenetV2),
            new Family("mobilenetv3", EfficientNets.MOBILENET_V3, EfficientNets::mobilenetV3),
            new Family("efficientnet", EfficientNets.EFFICIENTNET, EfficientNets::efficientNet),
            new Family("efficientnetv2", EfficientNets.EFFICIENTNET_V2, EfficientNets::efficientNetV2),
            new Family("mobilenetv4", EfficientNets.MOBILENET_V4, EfficientNets::mobilenetV4),
            new Family("mobilevit", MobileViT.VARIANTS, MobileViT::fromJson),
            new Family("repvit", RepViT.VARIANTS, RepViT::fromJson),
            new Family("segmentation", Segmenters.VARIANTS, Segmenters::fromJson),
            new Family("detection", Detectors.VARIANTS, Detectors::fromJson));

    private Models() {}

    /** Every registered name. */
    public static List<String> names() {
        List<String> n = new ArrayList<>();
        for (Family f : FAMILIES) n.addAll(f.variants().keySet());
        n.add(DemoModel.NAME);
        n.add(DemoSegmenter.NAME);
        n.add(DemoDetector.NAME);
        return n;
    }

    /** The registered segmentation models. */
    public static List<String> segmentationNames() {
        return new ArrayList<>(new java.util.TreeSet<>(Segmenters.VARIANTS.keySet()));
    }

    private static String canonical(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        // timm names may carry a pretrained tag: edgenext_small.usi_in1k
        int dot = n.indexOf('.');
        return dot > 0 ? n.substring(0, dot) : n;
    }

    private static Family familyOf(String registeredName) {
        for (Family f : FAMILIES) if (f.variants().containsKey(registeredName)) return f;
        return null;
    }

    /** A registered model by its timm / upstream name. */
    public static VisionModel byName(String name) {
        String n = canonical(name);
        if (n.equals(DemoModel.NAME)) return DemoModel.load();
        if (n.equals(DemoSegmenter.NAME)) return DemoSegmenter.load();
        if (n.equals(DemoDetector.NAME)) return DemoDetector.load();
        Family f = familyOf(n);
        if (f != null)
            return f.parser()
                    .apply(n, JsonParser.parseString(f.variants().get(n)).getAsJsonObject());
        throw new ModelSpecException("unknown model '" + name + "'; known: " + String.join(", ", names())
                + " (or describe one with --model-config)");
    }

    /** The weights of an embedded demo model by its name, or null for a model that has none in the jar. */
    public static Weights embeddedWeights(String name) {
        String n = canonical(name);
        if (n.equals(DemoModel.NAME)) return DemoModel.weights();
        if (n.equals(DemoSegmenter.NAME)) return DemoSegmenter.weights();
        if (n.equals(DemoDetector.NAME)) return DemoDetector.weights();
        return null;
    }

    /** Name → value pairs kept in the order given (a family's variants, listed in that order). */
    static Map<String, String> ordered(String... pairs) {
        Map<String, String> m = new java.util.LinkedHashMap<>();
        for (int i = 0; i + 1 < pairs.length; i += 2) m.put(pairs[i], pairs[i + 1]);
        return java.util.Collections.unmodifiableMap(m);
    }

    /**
     * A spec as case.json and {@code --model-config} give it: {"model": name, ...overrides} or
     * {"family": ..., constructor arguments under the upstream's names}.
     */
    public static VisionModel fromSpec(JsonObject spec) {
        JsonObject rest = spec.deepCopy();
        DataConfig data = DataConfig.take(rest);
        try {
            return data.apply(architecture(rest));
        } catch (ArithmeticException | NegativeArraySizeException e) {
            // Sizes are computed with exact arithmetic: an overflow means the spec asks for too much.
            throw new ModelSpecException("the configuration is too large (" + e.getMessage() + " while sizing it)");
        } catch (UnsupportedOperationException | IllegalStateException | ClassCastException | NumberFormatException e) {
            // Gson's typed getters on a value of another JSON type (null for a string, a list for an object)
            throw new ModelSpecException("a configuration value has the wrong JSON type (" + e.getMessage() + ")");
        }
    }

    /** The architecture part of a spec (its data keys already taken). */
    private static VisionModel architecture(JsonObject rest) {
        if (rest.has("model")) {
            String name = stringField(rest.remove("model"), "model");
            VisionModel base = byName(name);
            if (base instanceof DemoModel && rest.size() > 0) {
                throw new ModelSpecException("model '" + name + "' takes no overrides (got: " + rest.keySet() + ")");
            }
            if (rest.size() == 0) return base;
            Family f = familyOf(canonical(name));
            if (f == null) {
                throw new ModelSpecException("model '" + name + "' takes no overrides (got: " + rest.keySet() + ")");
            }
            JsonObject merged =
                    JsonParser.parseString(f.variants().get(base.name())).getAsJsonObject();
            for (String k : rest.keySet()) merged.add(k, rest.get(k));
            return f.parser().apply(base.name(), merged);
        }
        if (!rest.has("family") && rest.has("task")) {
            // {"task": "segmentation" | "detection", ...}: the family of that task's heads
            String task = stringField(rest.get("task"), "task").toLowerCase(Locale.ROOT);
            if (!task.equals("segmentation") && !task.equals("detection")) {
                throw new ModelSpecException("'task' must be segmentation or detection, got '" + task + "'");
            }
            rest.addProperty("family", task);
        }
        if (!rest.has("family")) {
            throw new ModelSpecException("model config needs \"model\" (a registered name) or \"family\"");
        }
        String family = stringField(rest.remove("family"), "family").toLowerCase(Locale.ROOT);
        List<String> known = new ArrayList<>();
        for (Family f : FAMILIES) {
            if (f.name().equals(family)) return f.parser().apply(null, rest);
            known.add(f.name());
        }
        throw new ModelSpecException(
                "unknown model family '" + family + "' (supported: " + String.join(", ", known) + ")");
    }

    private static String stringField(JsonElement e, String key) {
        if (e == null || !e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
            throw new ModelSpecException("'" + key + "' must be a string");
        }
        return e.getAsString();
    }

    /** Reads a spec file; a case.json's "spec" member is accepted too. */
    public static VisionModel fromFile(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new ModelSpecException("cannot read model config " + file + ": " + e.getMessage());
        }
        return fromJson(text, "model config " + file, file.toString());
    }

    /**
     * A spec given as JSON text, as {@link #fromFile} reads it; {@code where} names its origin in
     * error messages ("model config FILE", "the modelSpec parameter").
     */
    public static VisionModel fromJson(String text, String where) {
        return fromJson(text, where, where);
    }

    private static VisionModel fromJson(String text, String where, String prefix) {
        JsonElement e;
        try {
            e = JsonParser.parseString(text);
        } catch (JsonSyntaxException ex) {
            throw new ModelSpecException(where + " is not valid JSON: " + ex.getMessage());
        }
        if (e == null || !e.isJsonObject()) throw new ModelSpecException(where + " must be a JSON object");
        JsonObject o = e.getAsJsonObject();
        if (o.has("spec") && o.get("spec").isJsonObject()) {
            // A case.json: the spec, plus the data keys the case gives beside it (labels, input_size, ...).
            JsonObject spec = o.getAsJsonObject("spec").deepCopy();
            for (String k : DataConfig.KEYS) {
                if (o.has(k) && !spec.has(k)) spec.add(k, o.get(k));
            }
            o = spec;
        }
        try {
            return fromSpec(o);
        } catch (ModelSpecException ex) {
            throw new ModelSpecException(prefix + ": " + ex.getMessage());
        }
    }
}
