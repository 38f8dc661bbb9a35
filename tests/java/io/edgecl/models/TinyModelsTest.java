package io.edgecl.models;

import io.edgecl.TestSupport;
import io.edgecl.graph.FusionRule;
import io.edgecl.tensor.HostTensor;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One whole forward of every family's smallest fixture (64x64), fused and unfused, against the
 * upstream outputs. tools/oclgrind-check.sh runs this class on the Oclgrind simulator, so every
 * kernel is also checked inside real models for out-of-bounds accesses, races and
 * uninitialised reads; on a real device it is a quick cross-family check.
 */
class TinyModelsTest {
    static final List<String> ALL = List.of(
            "edgenext_tiny",
            "convnext_tiny_cfg",
            "edgevit_tiny",
            "mobilevit_xxs_64",
            "mobilenetv1_025",
            "mobilenetv2_050",
            "mobilenetv3_small_050",
            "efficientnet_b0_025",
            "efficientnetv2_rw_025",
            "repvit_cfg",
            "mobilenetv4_hybrid_medium_0125");

    /** Every family, or the comma-separated subset named by -Dedgecl.test.families (an unknown name fails). */
    static List<String> cases() {
        String only = System.getProperty("edgecl.test.families", "");
        if (only.isBlank()) return ALL;
        List<String> picked = Arrays.stream(only.split(",")).map(String::trim).toList();
        for (String p : picked) {
            if (!ALL.contains(p)) throw new IllegalArgumentException("edgecl.test.families: unknown case " + p);
        }
        return picked;
    }

    @ParameterizedTest
    @MethodSource("cases")
    void wholeForwardFusedAndUnfused(String name) {
        Map<String, HostTensor> fused = GoldenModelsTest.check(name, Set.of());
        Map<String, HostTensor> unfused = GoldenModelsTest.check(name, FusionRule.all());
        TestSupport.assertOutputsClose(unfused, fused, name + " fused vs unfused");
    }
}
