package io.edgecl.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.edgecl.TestSupport;
import io.edgecl.graph.FusionRule;
import io.edgecl.graph.FusionScheduler;
import io.edgecl.graph.Graph;
import io.edgecl.graph.HostEval;
import io.edgecl.graph.Plan;
import io.edgecl.io.image.Preprocess;
import io.edgecl.tensor.HostTensor;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** MobileViT against timm: full forward passes, parameter counts, configuration errors. */
class MobileViTGoldenTest {

    @ParameterizedTest
    @ValueSource(strings = {"mobilevit_xxs", "mobilevit_xxs_64"})
    void fusedAndUnfusedMatchTheReferenceAndEachOther(String name) {
        Map<String, HostTensor> fused = GoldenModelsTest.check(name, Set.of());
        Map<String, HostTensor> unfused = GoldenModelsTest.check(name, FusionRule.all());
        TestSupport.assertOutputsClose(unfused, fused, name + " fused vs unfused");
    }

    /** fp16 storage (fp32 arithmetic): within 1e-2·max(1, max|ref|) of the reference, same top-1. */
    @Test
    void fp16StorageStaysClose() {
        io.edgecl.cl.ClContext ctx = TestSupport.context();
        ctx.setPrecision(io.edgecl.tensor.Precision.FP16_STORAGE);
        try {
            GoldenModelsTest.check("mobilevit_xxs_64", Set.of(), 1e-2);
        } finally {
            ctx.setPrecision(io.edgecl.tensor.Precision.FP32);
        }
    }

    /** The graph itself, evaluated on the host without the OpenCL lowering, against timm's outputs. */
    @ParameterizedTest
    @ValueSource(strings = {"mobilevit_xxs_64", "mobilevit_xxs"})
    void graphEvaluatedOnTheHostMatchesTheReference(String name) {
        GoldenCase gc = GoldenCase.load(name);
        Weights w = ModelWeights.load(gc.weights(), gc.keyFormat());
        Map<String, HostTensor> io = gc.io();
        HostTensor input = io.get("input");
        int[] s = input.shape();
        Graph g = Models.fromSpec(gc.spec()).build(w, s[0], s[2], s[3]);
        w.finish();
        Map<String, HostTensor> out = HostEval.run(g, input);
        TestSupport.assertOutputsClose(io, out, name + " host");
    }

    /**
     * Variants without a fixture (other head dims: 24, 30, 36, 48, 60) and a custom configuration
     * (ReLU, conv1x1 shortcuts, 4x4 patches, no final conv), fused and unfused on the device,
     * against the host evaluation of the same graph with random weights of realistic scale.
     */
    @ParameterizedTest
    @ValueSource(
            strings = {
                "{\"model\":\"mobilevit_xs\"}",
                "{\"model\":\"mobilevit_s\"}",
                "{\"family\":\"mobilevit\",\"stem_pool\":\"\",\"stem_chs\":8,\"num_classes\":10,\"blocks\":["
                        + "{\"type\":\"bottle\",\"d\":2,\"c\":16,\"gs\":1,\"br\":2.0,\"block_kwargs\":{\"bottle_in\":true}},"
                        + "[{\"type\":\"bottle\",\"d\":1,\"c\":24,\"s\":2},{\"type\":\"mobilevit\",\"d\":1,\"c\":24,"
                        + "\"s\":1,\"block_kwargs\":{\"patch_size\":4,\"transformer_dim\":40,\"num_heads\":2}}]]}"
            })
    void deviceMatchesHostEvaluationWithRandomWeights(String specJson) {
        VisionModel m = Models.fromSpec(JsonParser.parseString(specJson).getAsJsonObject());
        Weights shapes = Weights.synthetic(null);
        m.build(shapes, 1, 64, 64);
        java.util.Random rnd = new java.util.Random(7);
        Map<String, HostTensor> sd = new java.util.HashMap<>();
        for (Map.Entry<String, int[]> e : shapes.expected().entrySet()) {
            String k = e.getKey();
            int[] shape = e.getValue();
            float[] d = new float[(int) HostTensor.numel(shape)];
            int fanIn = shape.length > 1 ? d.length / shape[0] : 1;
            for (int i = 0; i < d.length; i++) {
                double g = rnd.nextGaussian();
                boolean norm = k.endsWith("bn.weight") || k.contains("norm") && k.endsWith(".weight");
                d[i] = (float)
                        (k.endsWith("running_var")
                                ? 0.5 + rnd.nextDouble()
                                : norm ? 1 + 0.2 * g : shape.length > 1 ? g / Math.sqrt(fanIn) : 0.1 * g);
            }
            sd.put(k, new HostTensor(shape, d));
        }
        // two images: the attention groups must not mix the batch
        HostTensor input = new HostTensor(
                new int[] {2, 3, 64, 64}, TestSupport.random(new java.util.Random(3), 2 * 3 * 64 * 64, 1.0f));
        Weights w = Weights.of(sd, "random");
        Map<String, HostTensor> ref = HostEval.run(m.build(w, 2, 64, 64), input);
        w.finish();
        for (Set<FusionRule> disabled : List.of(Set.<FusionRule>of(), FusionRule.all())) {
            Graph g = m.build(Weights.of(sd, "random"), 2, 64, 64);
            FusionScheduler.apply(g, disabled);
            try (Plan plan = new Plan(TestSupport.context(), g)) {
                plan.poisonActivations(); // unwritten outputs show as NaN
                plan.run(input);
                Map<String, HostTensor> out = plan.readAll();
                TestSupport.assertOutputsClose(ref, out, m.name() + (disabled.isEmpty() ? " fused" : " unfused"));
            }
        }
    }

    /** Exact counts of timm's models (published: 1.27M, 2.32M, 5.58M). */
    @ParameterizedTest
    @CsvSource({"mobilevit_xxs, 1272024", "mobilevit_xs, 2317848", "mobilevit_s, 5578632"})
    void registeredVariantsHaveTimmsParameterCounts(String name, long params) {
        VisionModel m = Models.byName(name);
        Weights w = Weights.synthetic(null);
        Graph g = m.build(w, 1, 256, 256);
        assertEquals(params, w.paramCount(), name);
        assertEquals("mobilevit", m.family());
        assertTrue(g.macs() > 0);
    }

    @Test
    void featuresAreTheStageOutputsBeforeEachStrideThenFinalConv() {
        MobileViT m = (MobileViT) Models.byName("mobilevit_xxs");
        assertEquals(List.of("stages.0", "stages.1", "stages.2", "stages.3", "final_conv"), m.featureModules());
        assertEquals(5, m.featureNames().size());
        Preprocess p = m.preprocess();
        assertEquals(256, p.size());
        assertEquals(0.9, p.cropPct(), 1e-9);
        assertEquals(0f, p.mean()[0]);
        assertEquals(1f, p.std()[0]);
    }

    @Test
    void inputSizesThatTimmWouldInterpolateAreRejected() {
        VisionModel m = Models.byName("mobilevit_xxs");
        ModelSpecException e = assertThrows(ModelSpecException.class, () -> m.checkInput(3, 224, 224));
        assertTrue(e.getMessage().contains("stages.4.1") && e.getMessage().contains("7x7"), e.getMessage());
        m.checkInput(3, 64, 64);
        m.checkInput(3, 320, 256);
        assertThrows(ModelSpecException.class, () -> m.checkInput(1, 256, 256));
    }

    @Test
    void configurationErrorsNameTheField() {
        JsonObject spec = JsonParser.parseString("{\"model\":\"mobilevit_xxs\",\"act_layer\":\"tanh\"}")
                .getAsJsonObject();
        assertTrue(assertThrows(ModelSpecException.class, () -> Models.fromSpec(spec))
                .getMessage()
                .contains("act_layer"));
        JsonObject unknown = JsonParser.parseString("{\"model\":\"mobilevit_xxs\",\"depth\":3}")
                .getAsJsonObject();
        assertTrue(assertThrows(ModelSpecException.class, () -> Models.fromSpec(unknown))
                .getMessage()
                .contains("depth"));
        JsonObject pool = JsonParser.parseString(
                        "{\"family\":\"mobilevit\",\"blocks\":[{\"type\":\"bottle\",\"d\":1," + "\"c\":16}]}")
                .getAsJsonObject();
        assertTrue(assertThrows(ModelSpecException.class, () -> Models.fromSpec(pool))
                .getMessage()
                .contains("stem_pool"));
        JsonObject kw = JsonParser.parseString("{\"family\":\"mobilevit\",\"stem_pool\":\"\",\"blocks\":[{\"type\":"
                        + "\"mobilevit\",\"d\":1,\"c\":16,\"block_kwargs\":{\"patch\":2}}]}")
                .getAsJsonObject();
        assertTrue(assertThrows(ModelSpecException.class, () -> Models.fromSpec(kw))
                .getMessage()
                .contains("patch"));
    }

    @Test
    void customConfigurationFollowsByobDefaults() {
        // ByoModelCfg defaults: conv1x1 shortcut on shape changes, ReLU, no final conv
        JsonObject spec = JsonParser.parseString("{\"family\":\"mobilevit\",\"stem_pool\":\"\",\"stem_chs\":8,"
                        + "\"num_classes\":10,\"blocks\":[{\"type\":\"bottle\",\"d\":2,\"c\":16,\"gs\":1,\"br\":2.0,"
                        + "\"block_kwargs\":{\"bottle_in\":true}},[{\"type\":\"bottle\",\"d\":1,\"c\":24,\"s\":2},"
                        + "{\"type\":\"mobilevit\",\"d\":1,\"c\":24,\"s\":1,\"block_kwargs\":{\"patch_size\":2,"
                        + "\"transformer_depth\":1}}]]}")
                .getAsJsonObject();
        MobileViT m = (MobileViT) Models.fromSpec(spec);
        assertEquals(List.of("stem", "stages.0", "final_conv"), m.featureModules());
        Weights w = Weights.synthetic(null);
        Graph g = m.build(w, 1, 32, 32);
        assertTrue(w.expected().containsKey("stages.0.0.shortcut.conv.weight"));
        assertTrue(w.expected().containsKey("stages.1.0.shortcut.conv.weight"));
        // transformer_dim defaults to make_divisible(br * in_chs) = 24
        assertEquals(24, w.expected().get("stages.1.1.conv_1x1.weight")[0]);
        assertEquals(3, g.outputs().size() - 1);
    }
}
