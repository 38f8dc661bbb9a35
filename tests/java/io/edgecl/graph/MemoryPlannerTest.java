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
     * The host writes only the plan's NCHW staging buffer (a whole buffer: a host write over part
     * of one leaves the rest uninitialised for Oclgrind); the laid-out input is an ordinary value
     * whose slot later values reuse, and the estimate counts the staging buffer.
     */
    @Test
    void theInputSlotIsReusedAndTheStagingCounted() {
        VisionModel model = Models.byName("edgenext_xx_small");
        Weights w = Weights.synthetic(0L);
        Graph g = model.build(w, 1, 64, 64);
        MemoryPlanner.Assignment a = MemoryPlanner.plan(g, 4);
        int in = a.slotOf().get(g.input());
        Map<Integer, Integer> users = new HashMap<>();
        a.slotOf().values().forEach(s -> users.merge(s, 1, Integer::sum));
        assertTrue(users.get(in) > 1, "later values share the input's slot");
        assertTrue(a.slotBytes().size() < g.nodes().size(), "values share slots");
        long shared = 0, scratch = 0;
        for (Node n : g.nodes()) {
            scratch += n.op.scratchBytes(n.inputs, n.output);
            shared = Math.max(shared, n.op.transientScratchBytes(n.inputs, n.output));
        }
        assertEquals(
                a.totalBytes() + scratch + shared + 4L * g.input().numel(),
                MemoryPlanner.estimate(g, 4).activationBytes(),
                "activations: slots, scratch and the input staging");
    }
}
