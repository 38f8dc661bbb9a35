package io.edgecl.models;

import io.edgecl.io.image.RgbImage;
import io.edgecl.tensor.HostTensor;
import java.util.Map;

/**
 * A single-shot detector: its head outputs box offsets ({@link #BOXES}) and class logits
 * ({@link #LOGITS}) per anchor, which {@link #detections} turns into boxes on the host as the
 * upstream post-processing does. {@code detect}, {@code eval --task detection} and
 * {@code /v1/detect} take any of them.
 */
public interface Detector extends VisionModel {
    /** The head's box offsets, [N, anchors, 4]. */
    String BOXES = "bbox_regression";
    /** The head's class logits, [N, anchors, classes] (class 0: background). */
    String LOGITS = "cls_logits";

    /** The square input every image is resized to. */
    int inputSize();

    /** The model input for an image, [1, 3, size, size], as the upstream transform makes it. */
    HostTensor transform(RgbImage image);

    /**
     * Image {@code image}'s detections from the head's outputs (a run at {@link #inputSize}),
     * best first, with boxes in the pixels of an image of {@code imageH} × {@code imageW}.
     */
    SsdPostprocess.Detections detections(Map<String, HostTensor> head, int image, int imageH, int imageW);

    /** The class logits: what a detector's head is run for. */
    @Override
    default String primaryOutput() {
        return LOGITS;
    }

    /** The box offsets beside the class logits. */
    @Override
    default java.util.List<String> headOutputs() {
        return java.util.List.of(BOXES, LOGITS);
    }

    /** The COCO category id of a label: the label itself where the model numbers classes by COCO id. */
    default int categoryId(int label) {
        return label;
    }
}
