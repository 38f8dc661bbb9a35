package io.edgecl.export;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.edgecl.TestSupport;
import io.edgecl.graph.Graph;
import io.edgecl.models.GoldenCase;
import io.edgecl.models.ModelWeights;
import io.edgecl.models.Models;
import io.edgecl.models.VisionModel;
import io.edgecl.models.Weights;
import io.edgecl.tensor.HostTensor;
import java.nio.FloatBuffer;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The exported ONNX file, run by ONNX Runtime, gives the upstream's logits: the export is the same network. */
class OnnxExportTest {
    @ParameterizedTest
    @ValueSource(
            strings = {
                "edgenext_tiny",
                "edgenext_rw_tiny",
                "convnext_tiny_cfg",
                "mobilenetv1_025",
                "efficientnet_b0_025",
                "edgevit_tiny",
                "mobilevit_xxs_64",
                "mobilenetv3_small_050",
                "lraspp_mobilenet_v3_large_035",
                "deeplabv3_mobilenet_v3_large_025",
                "ssdlite320_mobilenet_v3_large_035",
                "deeplabv3_mobilevit_xxs_os8",
                "mobilevit_xxs_cvnets",
                "ssd_mobilevit_xxs",
                "ssd_edgevit_tiny",
                "deeplabv3_edgenext_xx_small",
                "repvit_cfg",
                "repvit_cfg_legacy",
                "mobilenetv4_hybrid_medium_0125",
                "mobilenetv4_hybrid_large_01_aa",
                "mobilenetv4_conv_blur_medium_01"
            })
    void onnxRuntimeReproducesTheReference(String name) throws Exception {
        GoldenCase gc = GoldenCase.load(name);
        VisionModel model = Models.fromSpec(gc.spec());
        Weights w = ModelWeights.load(gc.weights(), gc.keyFormat());
        Map<String, HostTensor> io = gc.io();
        HostTensor input = io.get("input");
        int[] s = input.shape();
        Graph g = model.build(w, s[0], s[2], s[3]);
        byte[] onnx = OnnxExport.export(g, name);
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions opts = new OrtSession.SessionOptions()) {
            opts.setIntraOpNumThreads(1);
            try (OrtSession session = env.createSession(onnx, opts);
                    OnnxTensor t = OnnxTensor.createTensor(
                            env, FloatBuffer.wrap(input.data()), new long[] {s[0], s[1], s[2], s[3]});
                    OrtSession.Result r = session.run(Map.of("input", t))) {
                for (String out : model.headOutputs()) {
                    OnnxTensor o = (OnnxTensor) r.get(out).orElseThrow();
                    HostTensor ref = io.get(out);
                    assertEquals(
                            java.util.Arrays.toString(ref.shape()),
                            java.util.Arrays.toString(o.getInfo().getShape()),
                            name + " output shape");
                    float[] flat = new float[ref.numel()];
                    o.getFloatBuffer().get(flat);
                    TestSupport.assertClose(ref.data(), flat, name + " " + out + " via ONNX Runtime");
                }
            }
        }
    }
}
