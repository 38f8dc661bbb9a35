package io.edgecl.models;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.edgecl.EdgeClException;
import io.edgecl.cl.ProgramCache;
import io.edgecl.io.image.Preprocess;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The embedded default model: a small EdgeNeXt trained on Fashion-MNIST (10 classes, 32x32
 * inputs: the 28x28 images zero-padded by 2 pixels, replicated to 3 channels, ImageNet
 * normalisation). Its weights ship inside the jar, so `edgecl classify IMAGE` works with no
 * download.
 */
public final class DemoModel extends ConfiguredModel {
    public static final String NAME = "edgenext_fmnist_demo";
    private static final String RESOURCE = "/io/edgecl/demo/edgenext_fmnist";

    private DemoModel(EdgeNeXt net, List<String> labels) {
        // 32x32 inputs, resized whole (crop 1.0), ImageNet normalisation
        super(net, Preprocess.imagenet(32, 1.0), labels);
    }

    public static DemoModel load() {
        JsonObject c = config(RESOURCE, "the demo model");
        JsonObject spec = c.getAsJsonObject("spec").deepCopy();
        spec.remove("family");
        return new DemoModel(EdgeNeXt.fromJson(NAME, spec), labels(c));
    }

    /** An embedded demo's description ({@code resource}.json in the jar: spec, labels, figures). */
    static JsonObject config(String resource, String what) {
        try (InputStream in = DemoModel.class.getResourceAsStream(resource + ".json")) {
            if (in == null) throw new EdgeClException(what + " is missing from the jar (" + resource + ".json)");
            return JsonParser.parseString(new String(in.readAllBytes(), StandardCharsets.UTF_8))
                    .getAsJsonObject();
        } catch (IOException e) {
            throw new EdgeClException("cannot read " + what + ": " + e.getMessage(), e);
        }
    }

    /** The class names of an embedded demo's description. */
    static List<String> labels(JsonObject config) {
        List<String> labels = new ArrayList<>();
        JsonArray a = config.getAsJsonArray("labels");
        for (int i = 0; i < a.size(); i++) labels.add(a.get(i).getAsString());
        return labels;
    }

    /** The demo weights, copied once from the jar to the cache directory (they are memory-mapped). */
    public static Weights weights() {
        return ModelWeights.load(weightsFile(), "timm");
    }

    public static Path weightsFile() {
        return extracted(RESOURCE + ".safetensors", NAME);
    }

    /**
     * A weights file in the jar, copied once to the cache directory (weights are memory-mapped
     * from a file), named after {@code name} and the content.
     */
    static Path extracted(String resource, String name) {
        byte[] bytes;
        try (InputStream in = DemoModel.class.getResourceAsStream(resource)) {
            if (in == null) throw new EdgeClException("the demo weights are missing from the jar");
            bytes = in.readAllBytes();
        } catch (IOException e) {
            throw new EdgeClException("cannot read the demo weights: " + e.getMessage(), e);
        }
        Path dir = ProgramCache.cacheRoot().resolve("demo");
        Path f = dir.resolve(name + "-" + Integer.toHexString(java.util.Arrays.hashCode(bytes)) + ".safetensors");
        try {
            if (!Files.isRegularFile(f) || Files.size(f) != bytes.length) {
                Files.createDirectories(dir);
                Path tmp = Files.createTempFile(dir, name, ".tmp");
                Files.write(tmp, bytes);
                Files.move(tmp, f, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new EdgeClException(
                    "cannot write the demo weights to " + dir + ": " + e.getMessage()
                            + " (set EDGECL_CACHE_DIR to a writable folder)",
                    e);
        }
        return f;
    }
}
