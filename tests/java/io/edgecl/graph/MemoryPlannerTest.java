package io.edgecl.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgecl.models.Models;
import io.edgecl.models.VisionModel;
import io.edgecl.models.Weights;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MemoryPlannerTest {
    /**
     * The input's buffer is its own and exactly its size: the host rewrites it every forward,
     * and a host write over part of a shared slot leaves the rest uninitialised for Oclgrind.
     */
    @Test
    void theInputHasABufferOfItsOwn() {
        VisionModel model = Models.byName("edgenext_xx_small");
        Weights w = Weights.synthetic(0L);
        Graph g = model.build(w, 1, 64, 64);
        MemoryPlanner.Assignment a = MemoryPlanner.plan(g, 4);
        int in = a.slotOf().get(g.input());
        assertEquals(g.input().numel() * 4, a.slotBytes().get(in), "input slot size");
        Map<Integer, Integer> users = new HashMap<>();
        a.slotOf().values().forEach(s -> users.merge(s, 1, Integer::sum));
        assertEquals(1, users.get(in), "values sharing the input's slot");
        assertTrue(a.slotBytes().size() < g.nodes().size(), "other values still share slots");
    }
}
