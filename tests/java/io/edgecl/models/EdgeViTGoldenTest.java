package io.edgecl.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.edgecl.TestSupport;
import io.edgecl.graph.ActivationOp;
import io.edgecl.graph.AddOp;
import io.edgecl.graph.FusionRule;
import io.edgecl.graph.FusionScheduler;
import io.edgecl.graph.Graph;
import io.edgecl.graph.Node;
import io.edgecl.tensor.HostTensor;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** EdgeViT against the official repository's outputs, its variants' sizes, and its configuration checks. */
class EdgeViTGoldenTest {

    @ParameterizedTest
    @ValueSource(strings = {"edgevit_tiny", "edgevit_xxs"})
    void fusedAndUnfusedMatchTheReferenceAndEachOther(String name) {
        Map<String, HostTensor> fused = GoldenModelsTest.check(name, Set.of());
        Map<String, HostTensor> unfused = GoldenModelsTest.check(name, FusionRule.all());
        TestSupport.assertOutputsClose(unfused, fused, name + " fused vs unfused");
    }

    /**
     * Exact counts of the repository's modules, against the paper's rounded figures. The paper
     * gives EdgeViT-S 11.1M, but the repository's edgevit_s (depth [1,2,5,3], embed_dim
     * [48,96,240,384]) has 13.1M; the repository's definition is the one registered.
     */
    @ParameterizedTest
    @CsvSource({"edgevit_xxs, 4067704, 4.1", "edgevit_xs, 6770056, 6.7", "edgevit_s, 13108168, 11.1"})
    void variantsHaveTheRepositorysParameterCounts(String name, long exact, double paperMillions) {
        VisionModel m = Models.byName(name);
        Weights w = Weights.synthetic(null);
        m.build(w, 1, 224, 224);
        assertEquals(exact, w.paramCount(), name);
        if (!name.equals("edgevit_s")) assertEquals(paperMillions, w.paramCount() / 1e6, 0.1, name + " vs the paper");
        assertEquals("edgevit", m.family());
        assertEquals("official", m.canonicalKeyFormat());
        assertEquals(224, m.preprocess().size());
        assertEquals(0.875, m.preprocess().cropPct(), 1e-12);
    }

    @Test
    void inputSizesMustKeepEveryStageDivisibleByItsSrRatio() {
        VisionModel m = Models.byName("edgevit_xxs");
        m.checkInput(3, 224, 224);
        m.checkInput(3, 256, 192);
        ModelSpecException e = assertThrows(ModelSpecException.class, () -> m.checkInput(3, 232, 224));
        assertTrue(e.getMessage().contains("sr_ratios[0]=4"), e.getMessage());
        assertTrue(e.getMessage().contains("multiple of 32"), e.getMessage());
        assertThrows(ModelSpecException.class, () -> m.checkInput(3, 16, 16));
        assertThrows(ModelSpecException.class, () -> m.checkInput(1, 224, 224));
        assertThrows(ModelSpecException.class, () -> m.build(Weights.synthetic(null), 1, 200, 200));
    }

    @Test
    void configurationErrorsNameTheField() {
        assertSpecError("{\"family\":\"edgevit\",\"embed_dims\":[1,2,3,4]}", "embed_dims");
        assertSpecError("{\"family\":\"edgevit\",\"depth\":[1,2,3]}", "depth");
        assertSpecError("{\"family\":\"edgevit\",\"embed_dim\":[16,32,48,64],\"head_dim\":24}", "embed_dim[0]");
        assertSpecError("{\"family\":\"edgevit\",\"embed_dim\":[16,32,50,64],\"head_dim\":16}", "embed_dim[2]");
        assertSpecError("{\"family\":\"edgevit\",\"head_dim\":16,\"sr_ratios\":[4,2,0,1]}", "sr_ratios[2]");
        assertSpecError("{\"family\":\"edgevit\",\"mlp_ratio\":[4,4,\"x\",4]}", "mlp_ratio");
        assertSpecError("{\"family\":\"edgevit\",\"representation_size\":128}", "representation_size");
        // the constructor's defaults alone (head_dim 64, embed_dim[0] 48) give stage 0 no head
        assertSpecError("{\"family\":\"edgevit\"}", "head_dim=64");
        // a stage without blocks has no attention heads to check
        Models.fromSpec(obj("{\"family\":\"edgevit\",\"depth\":[0,1,1,1],\"embed_dim\":[8,32,48,64],"
                + "\"head_dim\":16,\"mlp_ratio\":4}"));
    }

    @Test
    void customConfigurationCountsLikeTheFixture() {
        VisionModel m = Models.fromSpec(obj("{\"family\":\"edgevit\",\"depth\":[1,1,2,1],\"embed_dim\":[16,32,48,64],"
                + "\"head_dim\":16,\"mlp_ratio\":[4,4,4,4],\"sr_ratios\":[4,2,2,1]}"));
        Weights w = Weights.synthetic(null);
        m.build(w, 2, 64, 64);
        assertEquals(278296, w.paramCount());
    }

    /** Each half of an LGL block folds its GELU and both residual adds into GEMMs. */
    @Test
    void fusionFoldsActivationsAndResidualsIntoGemms() {
        VisionModel m = Models.byName("edgevit_xxs");
        Graph g = m.build(Weights.synthetic(null), 1, 224, 224);
        int before = g.nodes().size();
        int removed = FusionScheduler.apply(g, Set.of());
        int halves = 0;
        for (String s : new String[] {"LocalAgg", "SelfAttn"}) {
            for (Node n : g.nodes()) if (n.name().endsWith(s + ".pos_embed")) halves++;
        }
        // LocalAgg exists in the 5 blocks of stages 0-2, SelfAttn in all 7
        assertEquals(12, halves);
        assertEquals(3 * halves, removed);
        assertEquals(before - removed, g.nodes().size());
        for (Node n : g.nodes()) {
            if (n.op() instanceof AddOp) assertTrue(n.name().endsWith("pos_embed.residual"), n.name());
            assertTrue(!(n.op() instanceof ActivationOp), n.name());
        }
    }

    private static void assertSpecError(String spec, String field) {
        ModelSpecException e = assertThrows(ModelSpecException.class, () -> Models.fromSpec(obj(spec)));
        assertTrue(e.getMessage().contains(field), e.getMessage());
    }

    private static JsonObject obj(String s) {
        return JsonParser.parseString(s).getAsJsonObject();
    }
}
