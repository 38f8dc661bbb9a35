package io.edgecl.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgecl.models.Models;
import io.edgecl.models.Weights;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Where the inverted-residual rules fire on MobileNetV3-Large at 224 x 224: the expansion and
 * depthwise conv fuse for 3 x 3 windows and 5 x 5 ones at stride 2 on outputs from 14 x 14 up, the squeeze-excite gates up
 * to the weight bound, the fused kernels whose output a gate pools add up its pixels for it, and the
 * classifier head, whose pool also feeds two GEMMs, is left alone.
 */
class InvertedResidualFusionTest {
    private static Graph fused(Set<FusionRule> off) {
        Graph g = Models.byName("mobilenetv3_large_100").build(Weights.synthetic(null), 1, 224, 224);
        FusionScheduler.apply(g, off, true);
        return g;
    }

    private static List<String> named(Graph g, Class<? extends OpSpec> op) {
        return g.nodes().stream()
                .filter(n -> op.isInstance(n.op()))
                .map(n -> n.block().name)
                .collect(Collectors.toList());
    }

    @Test
    void firesWhereItPays() {
        Graph g = fused(Set.of());
        List<String> xdw = named(g, ExpandDwOp.class);
        // blocks.0.0 has no expansion; 2.1, 2.2, 5.1 and 5.2 have 5 x 5 windows at stride 1, and
        // 5.0 a 7 x 7 output
        assertEquals(
                List.of(
                        "blocks.1.0",
                        "blocks.1.1",
                        "blocks.2.0",
                        "blocks.3.0",
                        "blocks.3.1",
                        "blocks.3.2",
                        "blocks.3.3",
                        "blocks.4.0",
                        "blocks.4.1"),
                xdw);
        // 960 x 240 gates (blocks.5.1, 5.2) stay four launches
        assertEquals(
                List.of("blocks.2.0", "blocks.2.1", "blocks.2.2", "blocks.4.0", "blocks.4.1", "blocks.5.0"),
                named(g, SqueezeExciteOp.class));
        // the kernels whose output a gate pools write its partial sums: the fused ones and the
        // depthwise convs of 2.1, 2.2 and 5.0
        assertEquals(
                List.of("blocks.2.0", "blocks.2.1", "blocks.2.2", "blocks.4.0", "blocks.4.1", "blocks.5.0"),
                g.nodes().stream()
                        .filter(n -> (n.op() instanceof ExpandDwOp x && x.sePool())
                                || (n.op() instanceof DwConvOp d && d.sePool()))
                        .map(n -> n.block().name)
                        .collect(Collectors.toList()));
        assertEquals(2, named(g, AvgPoolOp.class).size() - 1, "the head's pool and two gates' pools stay");
        assertTrue(g.nodes().stream().anyMatch(n -> n.name().equals("classifier") && n.op() instanceof GemmOp));
    }

    @Test
    void eachRuleSwitchesOff() {
        Graph g = fused(Set.of(FusionRule.EXPAND_DW, FusionRule.SE_EXCITE));
        assertTrue(named(g, ExpandDwOp.class).isEmpty());
        assertTrue(named(g, SqueezeExciteOp.class).isEmpty());
        assertFalse(named(fused(Set.of(FusionRule.SE_EXCITE)), ExpandDwOp.class).isEmpty());
        for (FusionRule off : List.of(FusionRule.SE_POOL, FusionRule.SE_EXCITE)) {
            // se-excite off: no gate to pool for
            assertTrue(fused(Set.of(off)).nodes().stream()
                    .noneMatch(n -> (n.op() instanceof ExpandDwOp x && x.sePool())
                            || (n.op() instanceof DwConvOp d && d.sePool())));
        }
    }
}
