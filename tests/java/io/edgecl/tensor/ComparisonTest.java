package io.edgecl.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgecl.TestSupport;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

/** The one comparison of the tests and selftest: what must fail does. */
class ComparisonTest {
    private static float[] ref() {
        return TestSupport.random(new Random(5), 1001, 1f);
    }

    /** A NaN in the middle of an output: before, it was forgotten as soon as a finite element followed. */
    @Test
    void aNanInTheMiddleFails() {
        float[] ref = ref(), got = ref.clone();
        got[500] = Float.NaN;
        Comparison c = Comparison.of(ref, got);
        assertFalse(c.within(1e-4));
        assertEquals(1, c.nonFinite());
        assertEquals(500, c.firstNonFinite());
        assertEquals(Double.POSITIVE_INFINITY, c.relError());
        AssertionFailedError e = assertThrows(AssertionFailedError.class, () -> TestSupport.assertClose(ref, got, "x"));
        assertTrue(e.getMessage().contains("not finite, first at 500"), e.getMessage());
    }

    /** A larger error before the NaN is still reported (a NaN used to reset the running maximum). */
    @Test
    void anErrorBeforeANanIsKept() {
        float[] ref = ref(), got = ref.clone();
        got[100] += 0.5f;
        got[700] = Float.NaN;
        Comparison c = Comparison.of(ref, got);
        assertEquals(100, c.at());
        assertEquals(0.5, c.maxAbsDiff(), 1e-6);
        assertTrue(c.describe(ref, got, 1e-4).contains("at 100"), c.describe(ref, got, 1e-4));
    }

    @Test
    void infinitiesAndNansOnEitherSide() {
        float[] ref = {1, 2, 3}, got = {1, Float.POSITIVE_INFINITY, 3};
        assertFalse(Comparison.of(ref, got).within(1e-4));
        assertFalse(Comparison.of(got, ref).within(1e-4), "an infinite reference against a finite value");
        float[] nan = {Float.NaN, 2, 3};
        assertFalse(Comparison.of(nan, nan).within(1e-4), "NaN against NaN is never a match");
        float[] inf = {Float.NEGATIVE_INFINITY, 2, 3};
        assertTrue(Comparison.of(inf, inf.clone()).within(1e-4), "equal infinities match (softmax masks)");
        assertFalse(Comparison.of(ref, new float[] {1, 2}).within(1e-4), "a shorter output");
        assertTrue(Comparison.of(ref, ref.clone()).within(0));
    }

    /** The tolerance is relative to max(1, max|ref|), as the project states it. */
    @Test
    void theToleranceRule() {
        float[] ref = {100, -200, 3}, got = {100, -200.019f, 3};
        assertTrue(Comparison.of(ref, got).within(1e-4));
        got[1] = -200.021f;
        assertFalse(Comparison.of(ref, got).within(1e-4));
        float[] small = {0.001f}, off = {0.00019f + 0.001f};
        assertFalse(Comparison.of(small, off).within(1e-4), "below 1 the tolerance is absolute");
    }

    /** A model that drops a feature output does not pass on its logits. */
    @Test
    void aDroppedOutputFails() {
        Map<String, HostTensor> expected = new LinkedHashMap<>();
        expected.put("input", new HostTensor(new int[] {1, 3}, new float[] {1, 2, 3}));
        expected.put("logits", new HostTensor(new int[] {1, 2}, new float[] {1, 2}));
        expected.put("features.0", new HostTensor(new int[] {1, 2}, new float[] {3, 4}));
        expected.put("features.1", new HostTensor(new int[] {1, 2}, new float[] {5, 6}));
        Map<String, HostTensor> got = new LinkedHashMap<>(expected);
        got.remove("input");
        TestSupport.assertOutputsClose(expected, got, "complete");
        got.remove("features.1");
        AssertionFailedError e = assertThrows(
                AssertionFailedError.class, () -> TestSupport.assertOutputsClose(expected, got, "dropped"));
        assertTrue(e.getMessage().contains("features.1"), e.getMessage());
        got.put("features.1", expected.get("features.1"));
        got.put("features.2", expected.get("features.1"));
        assertThrows(
                AssertionFailedError.class, () -> TestSupport.assertOutputsClose(expected, got, "unchecked extra"));
    }

    /** Under strict mode (CI: EDGECL_STRICT=1) a skip is a failure, not a pass. */
    @Test
    void aSkipFailsInStrictMode() {
        String old = System.getProperty("edgecl.strict");
        System.setProperty("edgecl.strict", "true");
        try {
            AssertionFailedError e = assertThrows(AssertionFailedError.class, () -> TestSupport.skip("no fixture"));
            assertTrue(e.getMessage().contains("not skipped in strict mode"), e.getMessage());
        } finally {
            if (old == null) System.clearProperty("edgecl.strict");
            else System.setProperty("edgecl.strict", old);
        }
        if (!TestSupport.strict()) {
            assertThrows(org.opentest4j.TestAbortedException.class, () -> TestSupport.skip("no fixture"));
        }
    }
}
