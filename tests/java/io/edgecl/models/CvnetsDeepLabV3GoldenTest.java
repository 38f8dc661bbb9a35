package io.edgecl.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgecl.TestSupport;
import io.edgecl.graph.FusionRule;
import io.edgecl.tensor.HostTensor;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * ml-cvnets' DeepLabv3 on MobileViT: golden forward passes from ml-cvnets' own code with its
 * checkpoint names (output stride 8 and 16), the aux head skipped; and on timm's EdgeNeXt (output
 * stride 32, keys encoder.<timm names>).
 */
class CvnetsDeepLabV3GoldenTest {
    @ParameterizedTest
    @ValueSource(
            strings = {"deeplabv3_mobilevit_xxs_os8", "deeplabv3_mobilevit_xxs_os16", "deeplabv3_edgenext_xx_small"})
    void fusedAndUnfusedMatchMlCvnets(String name) {
        Map<String, HostTensor> fused = GoldenModelsTest.check(name, Set.of());
        Map<String, HostTensor> unfused = GoldenModelsTest.check(name, FusionRule.all());
        TestSupport.assertOutputsClose(unfused, fused, name + " fused vs unfused");
    }

    /** ml-cvnets' MobileViT classifier under its own names (conv_1, layer_N, conv_1x1_exp, classifier.fc). */
    @Test
    void anMlCvnetsClassifierCheckpointLoadsIntoMobileViT() {
        GoldenModelsTest.check("mobilevit_xxs_cvnets", Set.of());
    }

    /** fp16 storage (fp32 arithmetic): within 1e-2·max(1, max|ref|) of ml-cvnets. */
    @Test
    void fp16StorageStaysClose() {
        var ctx = TestSupport.context();
        ctx.setPrecision(io.edgecl.tensor.Precision.FP16_STORAGE);
        try {
            GoldenModelsTest.check("deeplabv3_mobilevit_xxs_os8", Set.of(), 1e-2);
        } finally {
            ctx.setPrecision(io.edgecl.tensor.Precision.FP32);
        }
    }

    /** The MobileViT paper's parameter counts (1.9, 2.9 and 6.4 M) at ml-cvnets' Pascal VOC setting; scores at the input size. */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource({
        "deeplabv3_mobilevit_xxs, 1854853",
        "deeplabv3_mobilevit_xs, 2944069",
        "deeplabv3_mobilevit_s, 6357941"
    })
    void registeredModelsHaveThePapersParameterCounts(String name, long params) {
        VisionModel m = Models.byName(name);
        Weights w = Weights.synthetic(null);
        var g = m.build(w, 1, 512, 512);
        assertEquals(params, w.paramCount(), name);
        var out = g.outputs().get("out");
        assertEquals(java.util.List.of(1, 21, 512, 512), java.util.List.of(out.n(), out.c(), out.h(), out.w()));
        assertEquals(
                java.util.List.of(64, 64),
                java.util.List.of(
                        g.outputs().get("features.l5").h(),
                        g.outputs().get("features.l5").w()),
                "output stride 8");
    }

    /** ml-cvnets' classification names map onto timm's, so its MobileViT ImageNet checkpoints load too. */
    @Test
    void classificationNamesMapToTimms() {
        Map<String, String> want = Map.of(
                "conv_1.block.norm.running_var", "stem.bn.running_var",
                "layer_1.0.block.exp_1x1.block.conv.weight", "stages.0.0.conv1_1x1.conv.weight",
                "layer_3.1.local_rep.conv_1x1.block.conv.weight", "stages.2.1.conv_1x1.weight",
                "layer_4.1.global_rep.2.pre_norm_ffn.4.bias", "stages.3.1.transformer.2.mlp.fc2.bias",
                "layer_5.1.global_rep.3.weight", "stages.4.1.norm.weight",
                "layer_5.1.fusion.block.norm.bias", "stages.4.1.conv_fusion.bn.bias",
                "conv_1x1_exp.block.conv.weight", "final_conv.conv.weight",
                "classifier.fc.weight", "head.fc.weight");
        assertEquals(KeyLayout.OFFICIAL_CVNETS, KeyLayout.detect(want.keySet()));
        want.forEach((k, v) -> assertEquals(v, KeyLayout.OFFICIAL_CVNETS.canonicalKey(k), k));
        assertEquals(
                "encoder.stages.3.0.conv2_kxk.bn.weight",
                KeyLayout.OFFICIAL_CVNETS.canonicalKey("encoder.layer_4.0.block.conv_3x3.block.norm.weight"));
        assertEquals(
                "seg_head.classifier.block.conv.bias",
                KeyLayout.OFFICIAL_CVNETS.canonicalKey("seg_head.classifier.block.conv.bias"));
    }

    /** The checkpoint's names are recognised as ml-cvnets', its training-only aux_head skipped and said to be. */
    @Test
    void theCheckpointLoadsUnderItsOwnNames() {
        GoldenCase gc = GoldenCase.load("deeplabv3_mobilevit_xxs_os8");
        VisionModel m = Models.fromSpec(gc.spec());
        Weights w = ModelWeights.load(gc.weights(), "auto");
        m.build(w, 1, 96, 128);
        w.finish();
        assertTrue(
                w.skippedKeys().containsKey("seg_head.aux_head.2.block.conv.weight"),
                w.skippedKeys().toString());
        assertEquals(gc.numParams(), w.paramCount());
    }

    /** A backbone timm dilates (ConvNeXt) takes a smaller output stride; the scores come back at the input size. */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource({"16, 32", "8, 64"})
    void aDilatableBackboneTakesTheOutputStride(int os, int side) {
        VisionModel m = Models.fromSpec(com.google.gson.JsonParser.parseString(
                        "{\"task\": \"segmentation\", \"head\": \"deeplabv3\", \"backbone\": {\"model\":"
                                + " \"convnext_atto\"}, \"output_stride\": " + os + "}")
                .getAsJsonObject());
        var g = m.build(Weights.synthetic(null), 1, 512, 512);
        assertEquals(side, g.outputs().get("features.l5").h(), "layer_5 at 512 / " + os);
        assertEquals(512, g.outputs().get("out").h());
    }
}
