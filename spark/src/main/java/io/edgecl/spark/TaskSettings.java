package io.edgecl.spark;

import java.io.Serializable;
import java.util.List;

/**
 * What one Transformer run needs on an executor: its parameters, read once on the driver, with
 * the weights as the executor finds them.
 *
 * @param task what the model does: classification, segmentation or detection
 * @param model a registered name or hub id; null for none
 * @param spec a model spec as JSON text; null for none
 * @param weights where the executor finds the weights ({@link WeightsShipping#locate}); null for none
 * @param keyFormat the weights' key layout (auto, timm, official, torchvision)
 * @param device the OpenCL device ({@code edgecl devices}); null for the default
 * @param precision fp32, fp16-storage, fp16 or auto
 * @param noFuse fusion rules switched off (all, or names); empty for none
 * @param batchSize images per forward (classification)
 * @param labels class names given with the Transformer; null for the model's own
 */
record TaskSettings(
        Task task,
        String model,
        String spec,
        String weights,
        String keyFormat,
        String device,
        String precision,
        List<String> noFuse,
        int batchSize,
        List<String> labels)
        implements Serializable {

    enum Task {
        CLASSIFICATION,
        SEGMENTATION,
        DETECTION
    }

    /** The settings that decide which model serves them: equal keys share one session per JVM. */
    String sessionKey() {
        return String.join(
                "\u0000",
                task.name(),
                String.valueOf(model),
                String.valueOf(spec),
                String.valueOf(weights),
                keyFormat,
                String.valueOf(device),
                precision,
                String.join(",", noFuse));
    }
}
