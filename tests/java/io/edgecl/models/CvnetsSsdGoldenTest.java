package io.edgecl.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgecl.TestSupport;
import io.edgecl.graph.FusionRule;
import io.edgecl.tensor.HostTensor;
import io.edgecl.tensor.Precision;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * ml-cvnets' SSD against ml-cvnets itself, on MobileViT and on timm's EdgeNeXt, at a 192x256
 * input (so the anchors' x and y steps differ): every level's features and the head's raw
 * outputs (fused and unfused, fp32 and fp16 storage), the anchors, and the detections mapped to
 * a 420x300 image.
 */
class CvnetsSsdGoldenTest {
    private static final String CASE = "ssd_mobilevit_xxs";

    private static CvnetsSsd model(GoldenCase gc) {
        return (CvnetsSsd) Models.fromSpec(gc.spec());
    }

    @ParameterizedTest
    @CsvSource({
        "ssd_mobilevit_xxs, true",
        "ssd_mobilevit_xxs, false",
        "ssd_edgenext_xx_small, true",
        "ssd_edgenext_xx_small, false",
        "ssd_edgevit_tiny, true",
        "ssd_edgevit_tiny, false"
    })
    void headOutputsAndFeaturesMatchMlCvnets(String name, boolean fused) {
        GoldenCase gc = GoldenCase.load(name);
        Weights w = ModelWeights.load(gc.weights(), gc.keyFormat());
        Map<String, HostTensor> io = gc.io();
        Map<String, HostTensor> out =
                DetectorsGoldenTest.run(model(gc), w, io.get("input"), fused ? Set.of() : FusionRule.all());
        assertEquals(gc.numParams(), w.paramCount(), "parameter count");
        for (String k : List.of("bbox_regression", "cls_logits")) {
            assertEquals(
                    List.of(io.get(k).shape()[1], io.get(k).shape()[2]),
                    List.of(
                            out.get(k).shape()[out.get(k).shape().length - 2],
                            out.get(k).shape()[out.get(k).shape().length - 1]),
                    k + " shape");
        }
        for (String k : List.of(
                "bbox_regression",
                "cls_logits",
                "features.0",
                "features.1",
                "features.2",
                "features.3",
                "features.4",
                "features.5")) {
            assertEquals(io.get(k).numel(), out.get(k).numel(), k);
            TestSupport.assertClose(io.get(k).data(), out.get(k).data(), name + " " + k);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"ssd_mobilevit_xxs", "ssd_edgenext_xx_small", "ssd_edgevit_tiny"})
    void fp16StorageStaysClose(String name) {
        GoldenCase gc = GoldenCase.load(name);
        Weights w = ModelWeights.load(gc.weights(), gc.keyFormat());
        Map<String, HostTensor> io = gc.io();
        var ctx = TestSupport.context();
        ctx.setPrecision(Precision.FP16_STORAGE);
        try {
            Map<String, HostTensor> out = DetectorsGoldenTest.run(model(gc), w, io.get("input"), Set.of());
            for (String k : List.of(Detector.BOXES, Detector.LOGITS))
                TestSupport.assertClose(io.get(k).data(), out.get(k).data(), 1e-2, k);
        } finally {
            ctx.setPrecision(Precision.FP32);
        }
    }

    @Test
    void anchorsAreMlCvnets() {
        GoldenCase gc = GoldenCase.load(CASE);
        Map<String, HostTensor> io = gc.io();
        int[] in = io.get("input").shape();
        List<int[]> grids = CvnetsSsd.grids(in[2], in[3]);
        for (int i = 0; i < 6; i++) {
            int[] s = io.get("features." + i).shape();
            assertEquals(List.of(s[2], s[3]), List.of(grids.get(i)[0], grids.get(i)[1]), "level " + i);
        }
        float[][] a = model(gc).anchors(in[2], in[3]);
        float[] flat = new float[a.length * 4];
        for (int i = 0; i < a.length; i++) System.arraycopy(a[i], 0, flat, 4 * i, 4);
        TestSupport.assertClose(io.get("anchors").data(), flat, 1e-7, "anchors");
    }

    /** The detections from EdgeCL's head outputs equal ml-cvnets' postprocess_detections, mapped to the image. */
    @ParameterizedTest
    @ValueSource(strings = {"ssd_mobilevit_xxs", "ssd_edgenext_xx_small", "ssd_edgevit_tiny"})
    void detectionsMatchMlCvnets(String name) {
        GoldenCase gc = GoldenCase.load(name);
        CvnetsSsd model = model(gc);
        Weights w = ModelWeights.load(gc.weights(), gc.keyFormat());
        Map<String, HostTensor> io = gc.io();
        Map<String, HostTensor> out = DetectorsGoldenTest.run(model, w, io.get("input"), Set.of());
        int[] in = io.get("input").shape();
        var img = gc.json().getAsJsonArray("image_shape");
        SsdPostprocess.Detections d = model.detections(
                out, 0, in[2], in[3], img.get(2).getAsInt(), img.get(3).getAsInt());
        DetectorsGoldenTest.assertSameDetections(io, d, "ml-cvnets");
    }

    /** The MobileViT paper's SSDLite parameter counts (1.7, 2.7 and 5.7 M) at ml-cvnets' COCO setting. */
    @ParameterizedTest
    @CsvSource({"ssd_mobilevit_xxs, 1755050", "ssd_mobilevit_xs, 2742042", "ssd_mobilevit_s, 5738826"})
    void registeredModelsHaveThePapersParameterCounts(String name, long params) {
        VisionModel m = Models.byName(name);
        Weights w = Weights.synthetic(null);
        var g = m.build(w, 1, 320, 320);
        assertEquals(params, w.paramCount(), name);
        // 20x20, 10x10, 5x5, 3x3, 2x2 locations of 6 anchors and one of 4
        assertEquals(3232, g.outputs().get(Detector.LOGITS).w(), "anchors at 320");
        assertEquals(81, g.outputs().get(Detector.LOGITS).c());
        Detector d = (Detector) m;
        assertEquals("person", d.labels().get(1));
        assertEquals("toothbrush", d.labels().get(80));
        assertEquals(1, d.categoryId(1));
        assertEquals(13, d.categoryId(12), "stop sign: COCO skips id 12");
        assertEquals(90, d.categoryId(80));
    }

    @Test
    void specsOutsideWhatMlCvnetsBuildsAreRefused() {
        var e = assertThrows(
                ModelSpecException.class,
                () -> spec("{\"task\": \"detection\", \"head\": \"ssd\","
                        + " \"backbone\": {\"model\": \"lraspp_mobilenet_v3_large\"}}"));
        assertTrue(e.getMessage().contains("lraspp_mobilenet_v3_large' is a segmentation model"), e.getMessage());
        e = assertThrows(
                ModelSpecException.class,
                () -> spec("{\"task\": \"detection\", \"head\": \"ssd\","
                        + " \"backbone\": {\"model\": \"mobilevit_xxs\"}, \"proj_channels\": [1, 2]}"));
        assertTrue(e.getMessage().contains("proj_channels"), e.getMessage());
        e = assertThrows(
                ModelSpecException.class,
                () -> spec("{\"task\": \"detection\", \"head\": \"ssdlite\","
                        + " \"backbone\": {\"model\": \"edgenext_small\"}, \"size\": 300}"));
        assertTrue(e.getMessage().contains("multiple of 32"), e.getMessage());
        e = assertThrows(
                ModelSpecException.class,
                () -> spec("{\"task\": \"segmentation\", \"head\": \"deeplabv3\","
                        + " \"backbone\": {\"model\": \"edgenext_small\"}, \"output_stride\": 16}"));
        assertTrue(e.getMessage().contains("output stride is 32"), e.getMessage());
    }

    /** The example: SSDLite on EdgeNeXt-S from a spec, at the paper's 320x320. */
    @Test
    void edgeNeXtSmallTakesTheSsdliteHead() {
        VisionModel m = spec(
                "{\"task\": \"detection\", \"head\": \"ssdlite\", \"backbone\": {\"model\":" + " \"edgenext_small\"}}");
        Weights w = Weights.synthetic(null);
        var g = m.build(w, 1, 320, 320);
        assertEquals(3232, g.outputs().get(Detector.BOXES).w());
        assertTrue(w.expected().containsKey("encoder.stages.3.blocks.0.conv_dw.weight"), "timm's names under encoder.");
        assertTrue(w.expected().keySet().stream().noneMatch(k -> k.startsWith("encoder.head")), "no classifier head");
        assertEquals(
                List.of("features.0", "features.1", "features.2", "features.3", "features.4", "features.5"),
                List.copyOf(g.outputs().keySet()).subList(0, 6));
    }

    private static VisionModel spec(String json) {
        return Models.fromSpec(com.google.gson.JsonParser.parseString(json).getAsJsonObject());
    }
}
