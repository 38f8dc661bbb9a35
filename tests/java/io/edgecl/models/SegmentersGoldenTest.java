package io.edgecl.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgecl.TestSupport;
import io.edgecl.graph.FusionRule;
import io.edgecl.graph.Graph;
import io.edgecl.tensor.HostTensor;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** torchvision's segmentation models: golden forward passes from torchvision's own code, weights, parameter counts. */
class SegmentersGoldenTest {
    @ParameterizedTest
    @ValueSource(strings = {"lraspp_mobilenet_v3_large_035", "deeplabv3_mobilenet_v3_large_025"})
    void fusedAndUnfusedMatchTorchvision(String name) {
        Map<String, HostTensor> fused = GoldenModelsTest.check(name, Set.of());
        Map<String, HostTensor> unfused = GoldenModelsTest.check(name, FusionRule.all());
        TestSupport.assertOutputsClose(unfused, fused, name + " fused vs unfused");
    }

    /** fp16 storage (fp32 arithmetic): within 1e-2·max(1, max|ref|) of torchvision, the same class per pixel. */
    @ParameterizedTest
    @ValueSource(strings = {"lraspp_mobilenet_v3_large_035", "deeplabv3_mobilenet_v3_large_025"})
    void fp16StorageStaysClose(String name) {
        var ctx = TestSupport.context();
        ctx.setPrecision(io.edgecl.tensor.Precision.FP16_STORAGE);
        try {
            GoldenModelsTest.check(name, Set.of(), 1e-2);
        } finally {
            ctx.setPrecision(io.edgecl.tensor.Precision.FP32);
        }
    }

    /** torchvision's parameter counts (its model builders' documented figures). */
    @ParameterizedTest
    @CsvSource({"lraspp_mobilenet_v3_large, 3221538", "deeplabv3_mobilenet_v3_large, 11025477"})
    void registeredModelsHaveTorchvisionsParameterCounts(String name, long params) {
        VisionModel m = Models.byName(name);
        Weights w = Weights.synthetic(null);
        Graph g = m.build(w, 1, 520, 520);
        assertEquals(params, w.paramCount(), name);
        var out = g.outputs().get("out");
        assertEquals(
                java.util.List.of(1, 21, 520, 520),
                java.util.List.of(out.n(), out.c(), out.h(), out.w()),
                "dense scores at the input size");
    }

    /** DeepLabV3's training-only aux_classifier in a checkpoint is skipped, and said to be. */
    @Test
    void theAuxiliaryHeadIsSkipped() {
        GoldenCase gc = GoldenCase.load("deeplabv3_mobilenet_v3_large_025");
        VisionModel m = Models.fromSpec(gc.spec());
        Weights w = ModelWeights.load(gc.weights(), gc.keyFormat());
        m.build(w, 1, 64, 64);
        w.finish();
        assertTrue(
                w.skippedKeys().containsKey("aux_classifier.4.weight"),
                w.skippedKeys().toString());
        assertEquals(gc.numParams(), w.paramCount());
    }

    @Test
    void aClassificationCheckpointNamesWhatIsMissing() {
        GoldenCase gc = GoldenCase.load("mobilenetv3_large_035");
        VisionModel m = Models.byName("lraspp_mobilenet_v3_large");
        Weights w = ModelWeights.load(gc.weights(), "auto");
        m.build(w, 1, 64, 64);
        var e = assertThrows(RuntimeException.class, w::finish);
        assertTrue(
                e.getMessage().contains("missing keys") && e.getMessage().contains("unexpected keys"), e.getMessage());
    }
}
