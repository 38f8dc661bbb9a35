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
 * MobileNetV4 against timm's own ({@code tools/golden/timm_families.py}), at a tenth to a quarter
 * of the width: the conv network (every universal-inverted-residual form), the hybrid medium
 * (multi-query attention with and without key/value downsampling, layer scales), the hybrid
 * large (GELU, 8 heads of 48) with average-pool anti-aliasing, and the blur-anti-aliased medium;
 * logits and every stage's features, fused and unfused, and in fp16 storage.
 */
class MobileNetV4GoldenTest {
    @ParameterizedTest
    @ValueSource(
            strings = {
                "mobilenetv4_conv_small_025",
                "mobilenetv4_hybrid_medium_0125",
                "mobilenetv4_hybrid_large_01_aa",
                "mobilenetv4_conv_blur_medium_01"
            })
    void logitsAndFeaturesMatchTimm(String name) {
        Map<String, HostTensor> fused = GoldenModelsTest.check(name, Set.of());
        Map<String, HostTensor> unfused = GoldenModelsTest.check(name, FusionRule.all());
        TestSupport.assertOutputsClose(unfused, fused, name + " fused vs unfused");
    }

    /**
     * Both register tiles, whichever this device's default is: the panel GEMM and conv and
     * expand_dw (here), and dw_gemm (MobileNetV1, whose 16-multiple channels it takes), built
     * for 32 vector registers and for 16.
     */
    @ParameterizedTest
    @CsvSource({
        "mobilenetv4_conv_small_025, wide",
        "mobilenetv4_conv_small_025, narrow",
        "mobilenetv1_025, wide",
        "mobilenetv1_025, narrow"
    })
    void eitherRegisterTileMatchesTimm(String name, String tiles) {
        GoldenModelsTest.check(name, io.edgecl.ops.KernelFamily.TILES, tiles);
    }

    @ParameterizedTest
    @ValueSource(strings = {"mobilenetv4_conv_small_025", "mobilenetv4_hybrid_medium_0125"})
    void fp16StorageStaysClose(String name) {
        ClContext ctx = TestSupport.context();
        ctx.setPrecision(Precision.FP16_STORAGE);
        try {
            GoldenModelsTest.check(name, Set.of(), 1e-2);
        } finally {
            ctx.setPrecision(Precision.FP32);
        }
    }

    /** timm's parameter counts of the registered models. */
    @ParameterizedTest
    @CsvSource({
        "mobilenetv4_conv_small_035, 1905384",
        "mobilenetv4_conv_small_050, 2238952",
        "mobilenetv4_conv_small, 3774024",
        "mobilenetv4_conv_medium, 9715512",
        "mobilenetv4_conv_large, 32590864",
        "mobilenetv4_hybrid_medium, 11074648",
        "mobilenetv4_hybrid_large, 37764624",
        "mobilenetv4_conv_aa_medium, 9715512",
        "mobilenetv4_conv_blur_medium, 9715512",
        "mobilenetv4_conv_aa_large, 32590864",
        "mobilenetv4_hybrid_medium_075, 7313528",
        "mobilenetv4_hybrid_large_075, 22754984"
    })
    void registeredVariantsHaveTimmsParameterCounts(String name, long params) {
        VisionModel m = Models.byName(name);
        Weights w = Weights.synthetic(null);
        m.build(w, 1, 224, 224);
        assertEquals(params, w.paramCount(), name);
        assertEquals(5, m.featureNames().size());
    }

    @Test
    void badSpecsAreRefusedNamingTheKey() {
        String[][] cases = {
            {"{\"family\":\"mobilenetv4\"}", "'variant'"},
            {"{\"family\":\"mobilenetv4\",\"variant\":\"mobilenetv3_large_100\"}", "variant"},
            {"{\"family\":\"mobilenetv4\",\"variant\":\"mobilenetv4_conv_small\",\"aa_layer\":\"max\"}", "aa_layer"},
            {
                "{\"family\":\"mobilenetv4\",\"variant\":\"mobilenetv4_conv_small\",\"depth_multiplier\":0.5}",
                "depth_multiplier"
            }
        };
        for (String[] c : cases) {
            var e = assertThrows(
                    ModelSpecException.class,
                    () -> Models.fromSpec(
                            com.google.gson.JsonParser.parseString(c[0]).getAsJsonObject()));
            assertTrue(e.getMessage().contains(c[1]), c[0] + " -> " + e.getMessage());
        }
    }

    @Test
    void blockStringsOfMobileNetV4Decode() {
        var u = ArchStrings.decodeBlock("uir_r1_a3_k0_s1_e4_c160");
        assertEquals(ArchStrings.Type.UIR, u.type());
        assertEquals(3, u.dwStart());
        assertEquals(0, u.kernel());
        assertEquals(4.0, u.expRatio());
        var q = ArchStrings.decodeBlock("mqa_r1_k3_h4_s1_v2_d64_c160");
        assertEquals(4, q.heads());
        assertEquals(64, q.keyDim());
        assertEquals(2, q.kvStride());
        assertEquals(1, ArchStrings.decodeBlock("mqa_r1_k3_h4_s1_d64_c256").kvStride());
        var e = assertThrows(ModelSpecException.class, () -> ArchStrings.decodeBlock("uir_r1_a0_k0_s2_e4_c96"));
        assertTrue(e.getMessage().contains("depthwise"), e.getMessage());
    }
}
