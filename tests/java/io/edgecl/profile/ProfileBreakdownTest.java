package io.edgecl.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The wall-time split of profiled forwards: means over all but the slowest tenth, parts adding up. */
class ProfileBreakdownTest {
    // wall, write, first wait, kernels, gaps, host-bound gaps, rest
    private static long[] forward(long write, long first, long kernels, long gaps, long host, long rest) {
        return new long[] {write + first + kernels + gaps + rest, write, first, kernels, gaps, host, rest};
    }

    @Test
    void meansLeaveOutTheSlowestTenthAndAddUp() {
        long[][] parts = new long[10][];
        for (int i = 0; i < 9; i++) parts[i] = forward(100, 20 + 2 * i, 1000, 200, 10, 50);
        parts[9] = forward(100, 20, 9000, 200, 10, 50); // an outlier, left out
        Profile.Breakdown b = Profile.breakdown(parts, true);
        assertEquals(1000, b.kernelsNs());
        assertEquals(28, b.firstWaitNs());
        assertEquals(b.wallNs(), b.writeNs() + b.firstWaitNs() + b.kernelsNs() + b.gapsNs() + b.restNs());
        assertTrue(b.queuedKnown());
    }

    @Test
    void withoutEnqueueTimesTheFirstWaitIsInTheRest() {
        // a forward measured before the driver was seen to lack them
        long[][] parts = {forward(100, 30, 1000, 200, 5, 80)};
        Profile.Breakdown b = Profile.breakdown(parts, false);
        assertFalse(b.queuedKnown());
        assertEquals(0, b.firstWaitNs());
        assertEquals(0, b.hostBoundNs());
        assertEquals(110, b.restNs());
        assertEquals(b.wallNs(), b.writeNs() + b.kernelsNs() + b.gapsNs() + b.restNs());
    }
}
