package io.edgecl.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgecl.TestSupport;
import io.edgecl.cl.ClContext;
import io.edgecl.graph.FusionRule;
import io.edgecl.tensor.HostTensor;
import io.edgecl.tensor.Precision;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * RepViT against timm's own ({@code tools/golden/timm_families.py}): the current token mixer with
 * the distillation head, and the first releases' (legacy) one with a single head, 5×5 windows, a
 * wider MLP and odd map sizes; logits and every stage's features, fused and unfused.
 */
class RepViTGoldenTest {
    @ParameterizedTest
    @ValueSource(strings = {"repvit_cfg", "repvit_cfg_legacy"})
    void logitsAndFeaturesMatchTimm(String name) {
        Map<String, HostTensor> fused = GoldenModelsTest.check(name, Set.of());
        Map<String, HostTensor> unfused = GoldenModelsTest.check(name, FusionRule.all());
        TestSupport.assertOutputsClose(unfused, fused, name + " fused vs unfused");
    }

    @ParameterizedTest
    @ValueSource(strings = {"repvit_cfg", "repvit_cfg_legacy"})
    void fp16StorageStaysClose(String name) {
        ClContext ctx = TestSupport.context();
        ctx.setPrecision(Precision.FP16_STORAGE);
        try {
            GoldenModelsTest.check(name, Set.of(), 1e-2);
        } finally {
            ctx.setPrecision(Precision.FP32);
        }
    }

    /** timm's parameter counts of the registered models (distillation heads included). */
    @ParameterizedTest
    @CsvSource({
        "repvit_m0_9, 5489328",
        "repvit_m1_0, 7302796",
        "repvit_m1_1, 8802912",
        "repvit_m1_5, 14644432",
        "repvit_m2_3, 23688792",
        "repvit_m1, 5485248",
        "repvit_m2, 8797984",
        "repvit_m3, 10682832"
    })
    void registeredVariantsHaveTimmsParameterCounts(String name, long params) {
        VisionModel m = Models.byName(name);
        Weights w = Weights.synthetic(null);
        m.build(w, 1, 224, 224);
        assertEquals(params, w.paramCount(), name);
        assertEquals(4, m.featureNames().size());
    }

    @Test
    void badSpecsAreRefusedNamingTheKey() {
        String[][] cases = {
            {"{\"family\":\"repvit\",\"embed_dim\":[16,32],\"depth\":[1]}", "one entry per stage"},
            {"{\"family\":\"repvit\",\"kernel_size\":4}", "'kernel_size' must be odd"},
            {"{\"family\":\"repvit\",\"embed_dim\":[15],\"depth\":[1]}", "must be even"},
            {"{\"family\":\"repvit\",\"mlp_ratio\":2.5}", "'mlp_ratio' must be a whole number"},
            {"{\"family\":\"repvit\",\"act_layer\":\"relu\"}", "act_layer"},
            {"{\"family\":\"repvit\",\"use_grn\":true}", "use_grn"}
        };
        for (String[] c : cases) {
            var e = assertThrows(
                    ModelSpecException.class,
                    () -> Models.fromSpec(
                            com.google.gson.JsonParser.parseString(c[0]).getAsJsonObject()));
            assertTrue(e.getMessage().contains(c[1]), c[0] + " -> " + e.getMessage());
        }
        var small = assertThrows(
                ModelSpecException.class, () -> Models.byName("repvit_m0_9").checkInput(3, 16, 224));
        assertTrue(small.getMessage().contains("at least 32x32"), small.getMessage());
    }
}
