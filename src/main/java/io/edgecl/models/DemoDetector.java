package io.edgecl.models;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.edgecl.EdgeClException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The embedded default detector: torchvision's SSDLite on MobileNetV3-Large (width 0.35, 11
 * classes: background and Fashion-MNIST's ten) at 128x128, trained on synthetic scenes of
 * Fashion-MNIST items ({@code tools/demo/train_detector.py}). Its weights ship inside the jar, so
 * {@code edgecl detect IMAGE} works with no download.
 */
public final class DemoDetector {
    public static final String NAME = "ssdlite_fmnist_demo";
    private static final String RESOURCE = "/io/edgecl/demo/ssdlite_fmnist";

    private DemoDetector() {}

    public static VisionModel load() {
        JsonObject c;
        try (InputStream in = DemoDetector.class.getResourceAsStream(RESOURCE + ".json")) {
            if (in == null)
                throw new EdgeClException("the demo detector is missing from the jar (" + RESOURCE + ".json)");
            c = JsonParser.parseString(new String(in.readAllBytes(), StandardCharsets.UTF_8))
                    .getAsJsonObject();
        } catch (IOException e) {
            throw new EdgeClException("cannot read the demo detector: " + e.getMessage(), e);
        }
        List<String> labels = new ArrayList<>();
        JsonArray a = c.getAsJsonArray("labels");
        for (int i = 0; i < a.size(); i++) labels.add(a.get(i).getAsString());
        Detectors net = (Detectors) Models.fromSpec(c.getAsJsonObject("spec"));
        return net.as(NAME, labels);
    }

    public static Weights weights() {
        return ModelWeights.load(DemoModel.extracted(RESOURCE + ".safetensors", NAME), "torchvision");
    }
}
