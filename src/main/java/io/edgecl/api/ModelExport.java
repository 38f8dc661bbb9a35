package io.edgecl.api;

import io.edgecl.export.OnnxExport;
import io.edgecl.graph.Graph;
import io.edgecl.models.VisionModel;
import io.edgecl.models.Weights;

/** A model with its weights written for other runtimes; no device needed. */
public final class ModelExport {
    private ModelExport() {}

    /**
     * ONNX (opset 17, NCHW, fixed input "input" [batch, 3, h, w], output "logits" [batch, classes] or a segmenter's "out" [batch, classes, h, w]),
     * every op unfused, for ONNX Runtime or any other ONNX consumer.
     */
    public static byte[] onnx(VisionModel model, Weights weights, int batch, int h, int w) {
        if (batch <= 0) throw new io.edgecl.EdgeClException("batch size must be positive, got " + batch);
        model.checkInput(3, h, w);
        Graph g = model.build(weights, batch, h, w);
        weights.finish();
        return OnnxExport.export(g, model.name());
    }
}
