package io.edgecl.models;

import com.google.gson.JsonObject;

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
        JsonObject c = DemoModel.config(RESOURCE, "the demo detector");
        Detectors net = (Detectors) Models.fromSpec(c.getAsJsonObject("spec"));
        return net.as(NAME, DemoModel.labels(c));
    }

    public static Weights weights() {
        return ModelWeights.load(DemoModel.extracted(RESOURCE + ".safetensors", NAME), "torchvision");
    }
}
