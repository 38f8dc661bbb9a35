package io.edgecl.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.edgecl.TestSupport;
import io.edgecl.graph.ActivationOp;
import io.edgecl.graph.ChannelGateOp;
import io.edgecl.graph.ConvOp;
import io.edgecl.graph.FusionRule;
import io.edgecl.graph.FusionScheduler;
import io.edgecl.graph.Graph;
import io.edgecl.tensor.HostTensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** MobileNet V1/V2/V3 and EfficientNet/V2 against timm: golden forward passes, weights, parameter counts. */
class EfficientNetsGoldenTest {
    static final String[] CASES = {
        "mobilenetv1_025",
        "mobilenetv2_050",
        "mobilenetv3_large_035",
        "mobilenetv3_small_050",
        "efficientnet_b0_025",
        "efficientnetv2_rw_025",
        "efficientnetv2_tf_025"
    };

    @ParameterizedTest
    @ValueSource(
            strings = {
                "mobilenetv1_025",
                "mobilenetv2_050",
                "mobilenetv3_large_035",
                "mobilenetv3_small_050",
                "efficientnet_b0_025",
                "efficientnetv2_rw_025",
                "efficientnetv2_tf_025"
            })
    void fusedAndUnfusedMatchTheReferenceAndEachOther(String name) {
        Map<String, HostTensor> fused = GoldenModelsTest.check(name, Set.of());
        Map<String, HostTensor> unfused = GoldenModelsTest.check(name, FusionRule.all());
        TestSupport.assertOutputsClose(unfused, fused, name + " fused vs unfused");
    }

    /**
     * Both forms of the squeeze-excite gate (one launch; two, splitting the weights over
     * work-groups) against timm, whatever the device's default: the fixtures' gates are too
     * narrow for the two-launch form to be chosen by itself.
     */
    @ParameterizedTest
    @CsvSource({
        "mobilenetv3_large_035, one",
        "mobilenetv3_large_035, two",
        "efficientnet_b0_025, two",
        "efficientnetv2_rw_025, two"
    })
    void eitherGateFormMatchesTimm(String name, String form) {
        GoldenModelsTest.check(name, io.edgecl.ops.KernelFamily.SE_EXCITE, form);
    }

    /** Every fixture's weights fit the spec key by key, with timm's parameter count and feature shapes (no device needed). */
    @ParameterizedTest
    @ValueSource(
            strings = {
                "mobilenetv1_025",
                "mobilenetv2_050",
                "mobilenetv3_large_035",
                "mobilenetv3_small_050",
                "efficientnet_b0_025",
                "efficientnetv2_rw_025",
                "efficientnetv2_tf_025"
            })
    void weightsFitAndFeaturesHaveTimmsShapes(String name) {
        GoldenCase gc = GoldenCase.load(name);
        VisionModel model = Models.fromSpec(gc.spec());
        Weights w = ModelWeights.load(gc.weights(), gc.keyFormat());
        int[] in = shape(gc.json().getAsJsonArray("input_shape"));
        Graph g = model.build(w, in[0], in[2], in[3]);
        w.finish();
        assertEquals(gc.numParams(), w.paramCount(), name + " parameter count");
        JsonArray feats = gc.json().getAsJsonArray("features");
        assertEquals(feats.size(), model.featureNames().size(), name + " number of features");
        for (int i = 0; i < feats.size(); i++) {
            int[] s = shape(feats.get(i).getAsJsonArray());
            var v = g.outputs().get("features." + i);
            assertEquals(List.of(s[0], s[1], s[2], s[3]), List.of(v.n(), v.c(), v.h(), v.w()), name + " features." + i);
        }
        // fused: every activation rides in its conv/GEMM and every SE gate in the projection GEMM
        assertTrue(FusionScheduler.apply(g, Set.of()) > 0, name);
        for (var node : g.nodes()) {
            assertTrue(
                    !(node.op() instanceof ActivationOp) && !(node.op() instanceof ChannelGateOp),
                    name + ": " + node.name() + " left unfused");
        }
    }

    private static int[] shape(JsonArray a) {
        int[] s = new int[a.size()];
        for (int i = 0; i < s.length; i++) s[i] = a.get(i).getAsInt();
        return s;
    }

    /** timm's parameter counts of the registered ImageNet models (timm's model cards and results tables). */
    @ParameterizedTest
    @CsvSource({
        "mobilenetv2_100, 3504872",
        "mobilenetv3_large_100, 5483032",
        "mobilenetv3_small_100, 2542856",
        "efficientnet_b0, 5288548",
        "efficientnetv2_rw_s, 23941296",
        "tf_efficientnetv2_s, 21458488",
        "mobilenetv3_small_050, 1593224",
        "mobilenetv2_050, 1968680",
        "mobilenetv1_100, 4231976",
        "efficientnet_b3, 12233232",
        "efficientnetv2_m, 54139356"
    })
    void registeredVariantsHaveTimmsParameterCounts(String name, long params) {
        VisionModel m = Models.byName(name);
        Weights w = Weights.synthetic(null);
        int size = m.preprocess().size();
        m.build(w, 1, size, size);
        assertEquals(params, w.paramCount(), name);
    }

    @Test
    void everyRegisteredVariantBuilds() {
        List<String> names = new ArrayList<>();
        for (var registry : List.of(
                EfficientNets.MOBILENET_V1,
                EfficientNets.MOBILENET_V2,
                EfficientNets.MOBILENET_V3,
                EfficientNets.EFFICIENTNET,
                EfficientNets.EFFICIENTNET_V2)) {
            names.addAll(registry.keySet());
        }
        for (String n : names) {
            VisionModel m = Models.byName(n);
            Weights w = Weights.synthetic(null);
            Graph g = m.build(w, 1, 64, 64);
            assertTrue(g.outputs().containsKey("logits"), n);
            assertTrue(w.paramCount() > 0, n);
        }
    }

    @Test
    void decoderFollowsTimmsRounding() {
        assertEquals(8, ArchStrings.makeDivisible(5.6));
        assertEquals(16, ArchStrings.makeDivisible(12));
        assertEquals(56, ArchStrings.makeDivisible(16 * 3.67));
        assertEquals(40, ArchStrings.makeDivisible(36));
        // round_limit 0 (EfficientNetV2-B*) never rounds up past the nearest multiple
        assertEquals(8, ArchStrings.roundChannels(16, 0.35, 8, 0.0));
        // per-stage depth: ceil of the total, then half-to-even per block definition, last first, each
        // definition kept at least once (so 4 x 0.35 -> ceil 2 still builds 3 blocks)
        var defs = List.of(
                ArchStrings.decodeBlock("ir_r1_k3_s2_e6_c80"),
                ArchStrings.decodeBlock("ir_r1_k3_s1_e2.5_c80"),
                ArchStrings.decodeBlock("ir_r2_k3_s1_e2.3_c80"));
        assertEquals(3, ArchStrings.scaleDepth(defs, 0.35, true).size());
        assertEquals(
                5,
                ArchStrings.scaleDepth(List.of(ArchStrings.decodeBlock("ir_r15_k3_s2_e6_c256_se0.25")), 0.3, true)
                        .size());
        var b = ArchStrings.decodeBlock("ds_r1_k3_s2_e1_c16_se0.25_nre");
        assertEquals(ArchStrings.Type.DS, b.type());
        assertEquals(io.edgecl.ops.Act.RELU, b.act());
        assertEquals(0.25, b.seRatio());
        assertTrue(ArchStrings.decodeBlock("dsa_r2_k3_s2_c128").noskip());
        assertTrue(ArchStrings.decodeBlock("cn_r1_k3_s1_e1_c16_skip").skip());
    }

    @Test
    void badConfigurationsNameTheField() {
        var e = assertThrows(
                ModelSpecException.class,
                () -> Models.fromSpec(
                        json("{\"family\":\"mobilenetv2\",\"variant\":\"mobilenetv2_100\",\"width\":2}")));
        assertTrue(e.getMessage().contains("'width'"), e.getMessage());
        e = assertThrows(
                ModelSpecException.class,
                () -> Models.fromSpec(json("{\"family\":\"efficientnet\",\"variant\":\"efficientnet_b9\"}")));
        assertTrue(e.getMessage().contains("variant"), e.getMessage());
        e = assertThrows(ModelSpecException.class, () -> Models.fromSpec(json("{\"family\":\"mobilenetv3\"}")));
        assertTrue(e.getMessage().contains("variant"), e.getMessage());
        e = assertThrows(
                ModelSpecException.class,
                () -> Models.fromSpec(
                        json(
                                "{\"family\":\"efficientnetv2\",\"variant\":\"efficientnetv2_rw_m\",\"depth_multiplier\":[1,2]}")));
        assertTrue(e.getMessage().contains("depth_multiplier"), e.getMessage());
        e = assertThrows(
                ModelSpecException.class,
                () -> Models.fromSpec(
                        json("{\"family\":\"mobilenetv1\",\"variant\":\"mobilenetv1_100\",\"pad_type\":\"reflect\"}")));
        assertTrue(e.getMessage().contains("pad_type"), e.getMessage());
    }

    @Test
    void tfVariantsUseSamePadding() {
        // (their BatchNorm eps 1e-3 is checked by the efficientnetv2_tf_025 fixture: eps 1e-5 misses it by 7e-3)
        // "same" padding on a stride-2 3x3 conv of an even input pads only bottom/right
        VisionModel tf = Models.byName("tf_efficientnetv2_b0");
        Graph g = tf.build(Weights.synthetic(null), 1, 64, 64);
        var stem = g.blocks().get(0).nodes().get(0);
        var conv = (ConvOp) stem.op();
        assertEquals(0, conv.padH());
        assertEquals(32, stem.output().h());
        VisionModel pt = Models.byName("efficientnet_b0");
        conv = (ConvOp) pt.build(Weights.synthetic(null), 1, 64, 64)
                .blocks()
                .get(0)
                .nodes()
                .get(0)
                .op();
        assertEquals(1, conv.padH());
    }

    @Test
    void weightsOfAnotherWidthNameTheMultiplier() {
        GoldenCase gc = GoldenCase.load("mobilenetv1_025");
        Weights w = ModelWeights.load(gc.weights(), gc.keyFormat());
        VisionModel m = Models.fromSpec(
                json("{\"family\":\"mobilenetv1\",\"variant\":\"mobilenetv1_100\"," + "\"channel_multiplier\":0.5}"));
        m.build(w, 1, 64, 64);
        var e = assertThrows(WeightMismatchException.class, w::finish);
        assertTrue(
                e.getMessage().contains("channel_multiplier: the file's stem has 8 channels, the spec 16"),
                e.getMessage());
    }

    private static JsonObject json(String s) {
        return JsonParser.parseString(s).getAsJsonObject();
    }
}
