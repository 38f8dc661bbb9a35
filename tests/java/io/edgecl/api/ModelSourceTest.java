package io.edgecl.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgecl.EdgeClException;
import io.edgecl.models.DemoModel;
import io.edgecl.models.Models;
import org.junit.jupiter.api.Test;

/** The one resolution of "which model, which weights" that the CLI and the Spark module share. */
class ModelSourceTest {
    @Test
    void nothingNamedIsTheDemo() {
        ModelSource s = ModelSource.of(null, null, null);
        assertTrue(s.demo());
        assertEquals(DemoModel.NAME, s.modelOrDemo().name());
        assertTrue(!s.weightsOrDemo().keys().isEmpty());
    }

    @Test
    void aSpecAsTextIsTheModelItNames() {
        ModelSource s = ModelSource.of(null, "{\"model\": \"edgenext_xx_small\", \"num_classes\": 7}", null);
        assertFalse(s.demo());
        assertEquals(7, s.model().numClasses());
        assertEquals(
                Models.byName("edgenext_xx_small").numClasses(),
                ModelSource.of("edgenext_xx_small", null, null).model().numClasses());
    }

    @Test
    void badSpecsAndTwoModelsAreRefusedByName() {
        EdgeClException e = assertThrows(
                EdgeClException.class, () -> ModelSource.of(null, "{oops", null).model());
        assertTrue(e.getMessage().startsWith("the model spec is not valid JSON"), e.getMessage());
        e = assertThrows(
                EdgeClException.class, () -> ModelSource.of(null, "[1]", null).model());
        assertEquals("the model spec must be a JSON object", e.getMessage());
        e = assertThrows(
                EdgeClException.class, () -> ModelSource.of("a", "{}", null).given());
        assertTrue(e.getMessage().contains("not both"), e.getMessage());
        e = assertThrows(
                EdgeClException.class,
                () -> ModelSource.of("edgenext_xx_small", null, null).weights(false, false));
        assertTrue(e.getMessage().contains("give the weights"), e.getMessage());
    }
}
