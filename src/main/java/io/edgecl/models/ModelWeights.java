package io.edgecl.models;

import io.edgecl.io.WeightFile;
import io.edgecl.tensor.HostTensor;
import java.nio.file.Path;
import java.util.Map;

/** Reads a weights file users have (safetensors or a PyTorch checkpoint) into a model's canonical keys. */
public final class ModelWeights {
    private ModelWeights() {}

    /**
     * @param keyFormat "auto" (detect from the keys), "timm", "official" or "torchvision"
     */
    public static Weights load(Path file, String keyFormat) {
        Map<String, HostTensor> raw = WeightFile.readParameters(file);
        KeyLayout layout = KeyLayout.resolve(keyFormat == null ? "auto" : keyFormat, raw.keySet());
        return Weights.of(layout.toCanonical(raw), file.toString());
    }
}
