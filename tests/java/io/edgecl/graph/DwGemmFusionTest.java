package io.edgecl.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgecl.models.Models;
import io.edgecl.models.Weights;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Where rule dw-gemm fires: a 3 x 3 depthwise conv at stride 1 (multiplier 1, up to 512 channels)
 * and the ungated 1x1 conv that reads it, with that conv's residual and layer scale already in its
 * epilogue.
 */
class DwGemmFusionTest {
    private static Graph fused(String model, Set<FusionRule> off) {
        Graph g = Models.byName(model).build(Weights.synthetic(null), 1, 224, 224);
        FusionScheduler.apply(g, off, true);
        return g;
    }

    /** Each fused op as "block: depthwise node + 1x1 node", by the names the nodes kept. */
    private static List<String> fusedOps(Graph g) {
        return g.nodes().stream()
                .filter(n -> n.op() instanceof DwGemmOp)
                .map(n -> n.block().name + ": " + n.name())
                .collect(Collectors.toList());
    }

    @Test
    void mobileNetV4UniversalBottlenecks() {
        Graph g = fused("mobilenetv4_conv_small", Set.of());
        // the start depthwise conv before an expansion that expand-dw did not take (2.0's runs
        // with the middle one into its expansion), the middle one before the projection on 7 x 7
        // maps, where expand-dw does not pay; not 3.0's middle one (stride 2) nor the 5 x 5
        // windows of 3.1-3.3
        assertEquals(
                List.of(
                        "blocks.2.5: blocks.2.5.dw_start.conv",
                        "blocks.3.0: blocks.3.0.dw_start.conv",
                        "blocks.3.4: blocks.3.4.dw_mid.conv",
                        "blocks.3.5: blocks.3.5.dw_mid.conv"),
                fusedOps(g));
        // the projections keep their residual: the block's input, read by the fused op
        for (Node n : g.nodes()) {
            if (n.op() instanceof DwGemmOp op && op.gemm().residual()) {
                assertEquals(2, n.inputs().size(), n.name());
                assertTrue(n.inputs().get(1).consumers.contains(n), n.name());
            }
        }
    }

    @Test
    void mobileNetV1StrideOneBlocks() {
        Graph g = fused("mobilenetv1_100", Set.of());
        // not the stride-2 blocks (1.0, 2.0, 3.0, 4.0) nor 4.1's 1024 channels
        assertEquals(
                List.of(
                        "blocks.0.0",
                        "blocks.1.1",
                        "blocks.2.1",
                        "blocks.3.1",
                        "blocks.3.2",
                        "blocks.3.3",
                        "blocks.3.4",
                        "blocks.3.5"),
                fusedOps(g).stream().map(s -> s.substring(0, s.indexOf(':'))).collect(Collectors.toList()));
    }

    @Test
    void switchesOff() {
        for (String m : List.of("mobilenetv4_conv_small", "mobilenetv1_100")) {
            Graph g = fused(m, Set.of(FusionRule.DW_GEMM));
            assertTrue(fusedOps(g).isEmpty(), m);
            assertEquals(
                    fusedOps(fused(m, Set.of())).size(),
                    g.nodes().stream().filter(n -> n.op() instanceof DwConvOp).count()
                            - fused(m, Set.of()).nodes().stream()
                                    .filter(n -> n.op() instanceof DwConvOp)
                                    .count(),
                    m + ": each fused op takes one depthwise conv");
        }
    }
}
