package io.edgecl.cl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgecl.TestSupport;
import org.junit.jupiter.api.Test;

class PoclEnvironmentTest {
    /** PoCL pins worker i to CPU i and stops if that fails: pinning only where every CPU from 0 is ours. */
    @Test
    void pinsOnlyWhereSafe() {
        assertTrue(PoclEnvironment.safe("", "Linux", null, null, null, 2, 2));
        assertTrue(PoclEnvironment.safe("on", "Linux", null, null, null, 16, 16));
        assertFalse(PoclEnvironment.safe("off", "Linux", null, null, null, 2, 2), "switched off");
        assertFalse(PoclEnvironment.safe("", "Mac OS X", null, null, null, 2, 2), "not Linux");
        assertFalse(PoclEnvironment.safe("", "Linux", "0", null, null, 2, 2), "the user's POCL_AFFINITY stays");
        assertFalse(PoclEnvironment.safe("", "Linux", null, "4", null, 2, 2), "a thread count of the user's own");
        assertFalse(
                PoclEnvironment.safe("", "Linux", null, null, "3", 2, 2), "a minimum thread count of the user's own");
        assertFalse(PoclEnvironment.safe("", "Linux", null, null, null, 8, 4), "a process limited to some CPUs");
        assertFalse(PoclEnvironment.safe("", "Linux", null, null, null, -1, 4), "CPUs not numbered from 0");
        assertFalse(PoclEnvironment.safe("", "Linux", null, null, null, 1, 1), "one CPU: nothing to pin");
    }

    @Test
    void readsTheOnlineCpuList() {
        assertEquals(2, PoclEnvironment.parseOnline("0-1\n"));
        assertEquals(64, PoclEnvironment.parseOnline("0-63"));
        assertEquals(1, PoclEnvironment.parseOnline("0"));
        assertEquals(-1, PoclEnvironment.parseOnline("0-3,8-11"));
        assertEquals(-1, PoclEnvironment.parseOnline("2-5"));
    }

    /** Where the rule holds here, opening a device set the variable for the driver (read back through libc). */
    @Test
    void theDriverSeesIt() throws Exception {
        TestSupport.context();
        boolean expected = PoclEnvironment.safe(
                System.getProperty(PoclEnvironment.PROPERTY, ""),
                System.getProperty("os.name", ""),
                System.getenv("POCL_AFFINITY"),
                System.getenv("POCL_MAX_PTHREAD_COUNT"),
                System.getenv("POCL_PTHREAD_MIN_THREADS"),
                PoclEnvironment.onlineCpus(),
                Runtime.getRuntime().availableProcessors());
        assertEquals(expected, PoclEnvironment.applied());
        if (expected) {
            var libc = org.lwjgl.system.Library.loadNative(PoclEnvironmentTest.class, "org.lwjgl", "libc.so.6");
            long getenv = libc.getFunctionAddress("getenv");
            try (var stack = org.lwjgl.system.MemoryStack.stackPush()) {
                long v = org.lwjgl.system.JNI.invokePP(
                        org.lwjgl.system.MemoryUtil.memAddress(stack.UTF8("POCL_AFFINITY")), getenv);
                assertEquals("1", org.lwjgl.system.MemoryUtil.memUTF8(v));
            }
        }
    }
}
