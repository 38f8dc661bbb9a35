package io.edgecl.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgecl.EdgeClException;
import io.edgecl.graph.FusionRule;
import org.junit.jupiter.api.Test;

/** The API's fusion names mirror the scheduler's rules one for one. */
class FusionTest {
    @Test
    void everyRuleHasItsApiName() {
        assertEquals(FusionRule.values().length, Fusion.values().length);
        for (FusionRule r : FusionRule.values()) {
            Fusion f = Fusion.valueOf(r.name());
            assertEquals(r, f.rule);
            assertEquals(r.id(), f.id());
            assertEquals(f, Fusion.parse(r.id()));
        }
        EdgeClException e = assertThrows(EdgeClException.class, () -> Fusion.parse("gemm-gelu"));
        assertTrue(e.getMessage().contains(Fusion.ids()), e.getMessage());
    }
}
