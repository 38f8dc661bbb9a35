package io.edgecl.models;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.edgecl.TestSupport;
import io.edgecl.io.WeightFile;
import io.edgecl.tensor.HostTensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** A reference fixture: case.json, the weights file and io.safetensors. */
public record GoldenCase(String name, Path dir, JsonObject json) {
    public static GoldenCase load(String name) {
        Path dir = TestSupport.golden(name);
        try {
            return new GoldenCase(
                    name,
                    dir,
                    JsonParser.parseString(Files.readString(dir.resolve("case.json")))
                            .getAsJsonObject());
        } catch (IOException e) {
            throw new RuntimeException(e);
        }
    }

    public JsonObject spec() {
        return json.getAsJsonObject("spec");
    }

    public Path weights() {
        return dir.resolve(json.get("weights").getAsString());
    }

    public String keyFormat() {
        String f = json.get("key_format").getAsString();
        return f.startsWith("official") ? "official" : f;
    }

    public Map<String, HostTensor> io() {
        try (WeightFile f = WeightFile.open(dir.resolve("io.safetensors"))) {
            return f.readAll();
        }
    }

    /** A backbone fixture without logits (timm's features_only): built with {@link VisionModel#buildFeatures}. */
    public boolean featuresOnly() {
        return json.has("features_only") && json.get("features_only").getAsBoolean();
    }

    public long numParams() {
        return json.get("num_params").getAsLong();
    }
}
