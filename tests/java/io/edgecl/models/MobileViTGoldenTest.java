package io.edgecl.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.edgecl.TestSupport;
import io.edgecl.graph.FusionScheduler;
import io.edgecl.graph.Graph;
import io.edgecl.io.HostTensor;
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
        Map<String, HostTensor> unfused = GoldenModelsTest.check(name, Set.copyOf(FusionScheduler.RULES));
        for (String k : fused.keySet()) {
            TestSupport.assertClose(unfused.get(k).data(), fused.get(k).data(), name + " fused vs unfused " + k);
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
        Map<String, HostTensor> out = HostGraphEval.run(g, input);
        for (String k : out.keySet()) {
            assertEquals(io.get(k).shapeString(), out.get(k).shapeString(), k + " shape");
            TestSupport.assertClose(io.get(k).data(), out.get(k).data(), name + " host " + k);
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
        JsonObject spec = JsonParser.parseString("{\"model\":\"mobilevit_xxs\",\"act_layer\":\"tanh\"}").getAsJsonObject();
        assertTrue(assertThrows(ModelSpecException.class, () -> Models.fromSpec(spec)).getMessage().contains("act_layer"));
        JsonObject unknown = JsonParser.parseString("{\"model\":\"mobilevit_xxs\",\"depth\":3}").getAsJsonObject();
        assertTrue(assertThrows(ModelSpecException.class, () -> Models.fromSpec(unknown)).getMessage().contains("depth"));
        JsonObject pool = JsonParser.parseString("{\"family\":\"mobilevit\",\"blocks\":[{\"type\":\"bottle\",\"d\":1,"
                + "\"c\":16}]}").getAsJsonObject();
        assertTrue(assertThrows(ModelSpecException.class, () -> Models.fromSpec(pool)).getMessage().contains("stem_pool"));
        JsonObject kw = JsonParser.parseString("{\"family\":\"mobilevit\",\"stem_pool\":\"\",\"blocks\":[{\"type\":"
                + "\"mobilevit\",\"d\":1,\"c\":16,\"block_kwargs\":{\"patch\":2}}]}").getAsJsonObject();
        assertTrue(assertThrows(ModelSpecException.class, () -> Models.fromSpec(kw)).getMessage().contains("patch"));
    }

    @Test
    void customConfigurationFollowsByobDefaults() {
        // ByoModelCfg defaults: conv1x1 shortcut on shape changes, ReLU, no final conv
        JsonObject spec = JsonParser.parseString("{\"family\":\"mobilevit\",\"stem_pool\":\"\",\"stem_chs\":8,"
                + "\"num_classes\":10,\"blocks\":[{\"type\":\"bottle\",\"d\":2,\"c\":16,\"gs\":1,\"br\":2.0,"
                + "\"block_kwargs\":{\"bottle_in\":true}},[{\"type\":\"bottle\",\"d\":1,\"c\":24,\"s\":2},"
                + "{\"type\":\"mobilevit\",\"d\":1,\"c\":24,\"s\":1,\"block_kwargs\":{\"patch_size\":2,"
                + "\"transformer_depth\":1}}]]}").getAsJsonObject();
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
