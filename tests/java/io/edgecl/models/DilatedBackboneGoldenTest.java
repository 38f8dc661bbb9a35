package io.edgecl.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgecl.TestSupport;
import io.edgecl.graph.FusionRule;
import io.edgecl.graph.FusionScheduler;
import io.edgecl.graph.Graph;
import io.edgecl.graph.Plan;
import io.edgecl.tensor.HostTensor;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Backbones at output stride 16 and 8 against timm's own ({@code tools/golden/timm_dilated.py}):
 * ConvNeXt (its dilated downsampling convs with "same" padding), EfficientNet and
 * EfficientNetV2 with TensorFlow padding (the builder's stride-to-dilation rule), and
 * MobileNetV3 as timm's features_only model (the only form in which timm dilates it).
 */
class DilatedBackboneGoldenTest {
    @ParameterizedTest
    @ValueSource(
            strings = {"convnext_cfg_os16", "convnext_cfg_os8", "efficientnet_b0_025_os8", "efficientnetv2_tf_025_os16"
            })
    void logitsAndFeaturesMatchTimm(String name) {
        Map<String, HostTensor> fused = GoldenModelsTest.check(name, Set.of());
        Map<String, HostTensor> unfused = GoldenModelsTest.check(name, FusionRule.all());
        TestSupport.assertOutputsClose(unfused, fused, name + " fused vs unfused");
    }

    /** timm's features_only MobileNetV3 at output stride 8: the features, without the head's weights. */
    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void featuresOnlyMobileNetV3MatchesTimm(boolean fused) {
        GoldenCase gc = GoldenCase.load("mobilenetv3_small_050_os8");
        assertTrue(gc.featuresOnly());
        VisionModel model = Models.fromSpec(gc.spec());
        Weights w = ModelWeights.load(gc.weights(), gc.keyFormat());
        Map<String, HostTensor> io = gc.io();
        int[] s = io.get("input").shape();
        Graph g = model.buildFeatures(w, s[0], s[2], s[3]);
        w.finish();
        assertEquals(gc.numParams(), w.paramCount(), "parameter count");
        assertTrue(g.outputs().keySet().stream().allMatch(k -> k.startsWith("features.")), "features only");
        FusionScheduler.apply(g, fused ? Set.of() : FusionRule.all());
        try (Plan plan = new Plan(TestSupport.context(), g)) {
            plan.poisonActivations();
            plan.run(io.get("input"));
            Map<String, HostTensor> out = plan.readAll();
            assertEquals(5, out.size());
            for (String k : out.keySet())
                TestSupport.assertClose(io.get(k).data(), out.get(k).data(), k);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"convnext_atto", "efficientnet_b0", "mobilenetv3_large_100"})
    void otherOutputStridesAreRefused(String model) {
        var e = assertThrows(
                ModelSpecException.class,
                () -> Models.fromSpec(
                        com.google.gson.JsonParser.parseString("{\"model\": \"" + model + "\", \"output_stride\": 4}")
                                .getAsJsonObject()));
        assertTrue(e.getMessage().contains("'output_stride' must be 8, 16 or 32"), e.getMessage());
    }
}
