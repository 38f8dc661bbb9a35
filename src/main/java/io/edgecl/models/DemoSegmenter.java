package io.edgecl.models;

import com.google.gson.JsonObject;

/**
 * The embedded default segmenter: torchvision's LR-ASPP on MobileNetV3-Large (width 0.35,
 * 11 classes: background and Fashion-MNIST's ten) trained on synthetic 128x128 scenes of
 * Fashion-MNIST items ({@code tools/demo/train_segmenter.py}). Its weights ship inside the jar,
 * so {@code edgecl segment IMAGE} works with no download.
 */
public final class DemoSegmenter {
    public static final String NAME = "lraspp_fmnist_demo";
    private static final String RESOURCE = "/io/edgecl/demo/lraspp_fmnist";

    private DemoSegmenter() {}

    public static VisionModel load() {
        JsonObject c = DemoModel.config(RESOURCE, "the demo segmenter");
        Segmenters net = (Segmenters) Models.fromSpec(c.getAsJsonObject("spec"));
        return net.as(NAME, DemoModel.labels(c), c.get("input_size").getAsInt());
    }

    public static Weights weights() {
        return ModelWeights.load(DemoModel.extracted(RESOURCE + ".safetensors", NAME), "torchvision");
    }
}
