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

/** The model registry and the parser of {@code --model-config} specs. */
public final class Models {
    private Models() {}

    /** Every registered name. */
    public static List<String> names() {
        List<String> n = new ArrayList<>(EdgeNeXt.VARIANTS.keySet());
        n.addAll(ConvNeXt.VARIANTS.keySet());
        n.add(DemoModel.NAME);
        return n;
    }

    /** A registered model by its timm / upstream name. */
    public static VisionModel byName(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        // timm names may carry a pretrained tag: edgenext_small.usi_in1k
        int dot = n.indexOf('.');
        if (dot > 0) n = n.substring(0, dot);
        if (n.equals(DemoModel.NAME)) return DemoModel.load();
        String args = EdgeNeXt.VARIANTS.get(n);
        if (args != null) return EdgeNeXt.fromJson(n, JsonParser.parseString(args).getAsJsonObject());
        args = ConvNeXt.VARIANTS.get(n);
        if (args != null) return ConvNeXt.fromJson(n, JsonParser.parseString(args).getAsJsonObject());
        throw new ModelSpecException("unknown model '" + name + "'; known: " + String.join(", ", names())
                + " (or describe one with --model-config)");
    }

    /**
     * A spec as case.json and {@code --model-config} give it: {"model": name, ...overrides} or
     * {"family": ..., constructor arguments under the upstream's names}.
     */
    public static VisionModel fromSpec(JsonObject spec) {
        JsonObject rest = spec.deepCopy();
        if (rest.has("model")) {
            String name = rest.remove("model").getAsString();
            VisionModel base = byName(name);
            if (rest.size() == 0) return base;
            String baseArgs = EdgeNeXt.VARIANTS.containsKey(base.name()) ? EdgeNeXt.VARIANTS.get(base.name())
                    : ConvNeXt.VARIANTS.get(base.name());
            if (baseArgs == null) {
                throw new ModelSpecException("model '" + name + "' takes no overrides (got: " + rest.keySet() + ")");
            }
            JsonObject merged = JsonParser.parseString(baseArgs).getAsJsonObject();
            for (String k : rest.keySet()) merged.add(k, rest.get(k));
            return base.family().equals("convnext") ? ConvNeXt.fromJson(base.name(), merged)
                    : EdgeNeXt.fromJson(base.name(), merged);
        }
        if (!rest.has("family")) {
            throw new ModelSpecException("model config needs \"model\" (a registered name) or \"family\"");
        }
        String family = rest.remove("family").getAsString().toLowerCase(Locale.ROOT);
        switch (family) {
            case "edgenext":
                return EdgeNeXt.fromJson(null, rest);
            case "convnext":
                return ConvNeXt.fromJson(null, rest);
            default:
                throw new ModelSpecException("unknown model family '" + family + "' (supported: edgenext, convnext)");
        }
    }

    /** Reads a spec file; a case.json's "spec" member is accepted too. */
    public static VisionModel fromFile(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new ModelSpecException("cannot read model config " + file + ": " + e.getMessage());
        }
        JsonElement e;
        try {
            e = JsonParser.parseString(text);
        } catch (JsonSyntaxException ex) {
            throw new ModelSpecException("model config " + file + " is not valid JSON: " + ex.getMessage());
        }
        if (!e.isJsonObject()) throw new ModelSpecException("model config " + file + " must be a JSON object");
        JsonObject o = e.getAsJsonObject();
        if (o.has("spec") && o.get("spec").isJsonObject()) o = o.getAsJsonObject("spec");
        try {
            return fromSpec(o);
        } catch (ModelSpecException ex) {
            throw new ModelSpecException(file + ": " + ex.getMessage());
        }
    }
}
