package io.edgecl.cl;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * PoCL's environment, set with the C library's setenv before the driver reads it.
 *
 * <p><b>Work-group specialisation off</b> ({@code POCL_WORK_GROUP_SPECIALIZATION=0}): PoCL
 * otherwise compiles a kernel again for every work-group size it is launched with, and the
 * launches of one kernel across a network's shapes take many sizes (MobileNetV3: 48 compiles of
 * 35 kernels). EdgeCL's kernels work in explicit vectors, so the size-specialised code is not
 * faster: measured on 2 cores (AVX-512), a cold MobileNetV3-Large bench compiled for 16.9 s at
 * first launch with it and 11.5 s without, and the warm device time per forward was the same
 * within noise (4.79 / 4.79 ms MobileNetV3, 4.69 / 4.70 ms EdgeNeXt-XXS, medians of 40, two
 * alternating rounds). {@code -Dedgecl.pocl.specialize=on}, or any value of the variable, keeps
 * PoCL's default.
 *
 * <p><b>Affinity.</b> Pins PoCL's worker threads one per CPU ({@code POCL_AFFINITY=1}) before OpenCL starts in this
 * process. PoCL wakes its workers for every kernel; left to the Linux scheduler, two of them can
 * share one core for whole stretches of short kernels while another core idles (measured on 2
 * cores: a 4096 x 96 x 24 GEMM took 194 µs pinned and 310-340 µs unpinned in the same minutes).
 *
 * <p>It is done only where it is safe: on Linux, when the user has set none of PoCL's thread
 * variables, and when this process may run on every online CPU, numbered from 0 (PoCL pins
 * worker i to CPU i and stops if that fails). {@code -Dedgecl.pocl.affinity=off}, or any value
 * of {@code POCL_AFFINITY}, leaves PoCL as it is. The variable is set with the C library's
 * setenv through LWJGL, so the driver, which reads it when the first OpenCL call loads it, sees
 * it; a failure to set it only loses the pinning.
 *
 * <p><b>Polling workers.</b> PoCL's workers sleep as soon as their queue is empty, and each
 * launch of a forward then waits for a wake-up; {@code tools/pocl-spin.c}, preloaded by
 * {@code ./edgecl}, makes them poll first. {@link #workerPollMicros()} tells whether it is loaded.
 */
public final class PoclEnvironment {
    public static final String PROPERTY = "edgecl.pocl.affinity";
    public static final String SPECIALIZE_PROPERTY = "edgecl.pocl.specialize";
    private static final AtomicBoolean DONE = new AtomicBoolean();
    private static volatile boolean applied;

    private PoclEnvironment() {}

    /** Whether this process set POCL_AFFINITY=1. */
    public static boolean applied() {
        return applied;
    }

    /**
     * Microseconds PoCL's CPU workers poll before they sleep: the value {@code
     * libedgecl-pocl-spin} runs with when this process preloaded it (0 when its polling is off),
     * -1 when it is not loaded (then the workers sleep as soon as they are idle).
     */
    public static long workerPollMicros() {
        if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")) return -1;
        try {
            // RTLD_DEFAULT (0): the symbol of a library preloaded into this process
            try (var stack = org.lwjgl.system.MemoryStack.stackPush()) {
                long a = org.lwjgl.system.linux.DynamicLinkLoader.ndlsym(
                        0L, org.lwjgl.system.MemoryUtil.memAddress(stack.UTF8("edgecl_pocl_spin_us")));
                return a == 0 ? -1 : org.lwjgl.system.MemoryUtil.memGetLong(a);
            }
        } catch (Throwable e) {
            // no LWJGL natives here: nothing to tell
            return -1;
        }
    }

    /** Sets PoCL's variables once, where it is safe. Call before the first OpenCL call. */
    static void apply() {
        if (!DONE.compareAndSet(false, true)) return;
        if (!"on".equalsIgnoreCase(System.getProperty(SPECIALIZE_PROPERTY, ""))
                && System.getenv("POCL_WORK_GROUP_SPECIALIZATION") == null) {
            setenv("POCL_WORK_GROUP_SPECIALIZATION", "0");
        }
        if (safe(
                System.getProperty(PROPERTY, ""),
                System.getProperty("os.name", ""),
                System.getenv("POCL_AFFINITY"),
                System.getenv("POCL_MAX_PTHREAD_COUNT"),
                System.getenv("POCL_PTHREAD_MIN_THREADS"),
                onlineCpus(),
                Runtime.getRuntime().availableProcessors())) {
            applied = setenv("POCL_AFFINITY", "1");
        }
    }

    /** The C library's setenv (Java's environment is a copy); false where it cannot be called. */
    private static boolean setenv(String name, String value) {
        if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")) return false;
        try {
            var libc = org.lwjgl.system.Library.loadNative(PoclEnvironment.class, "org.lwjgl", "libc.so.6");
            long setenv = libc.getFunctionAddress("setenv");
            if (setenv == 0) return false;
            try (var stack = org.lwjgl.system.MemoryStack.stackPush()) {
                long n = org.lwjgl.system.MemoryUtil.memAddress(stack.UTF8(name));
                long v = org.lwjgl.system.MemoryUtil.memAddress(stack.UTF8(value));
                return org.lwjgl.system.JNI.invokePPI(n, v, 0, setenv) == 0;
            }
        } catch (Throwable e) {
            // no LWJGL natives or no libc.so.6 here: PoCL keeps its defaults
            return false;
        }
    }

    /**
     * The rule: not switched off, Linux, none of PoCL's thread variables set, and every online CPU
     * ({@code online}, from 0) available to this process ({@code available}), at least two.
     */
    static boolean safe(
            String property,
            String os,
            String affinity,
            String maxThreads,
            String minThreads,
            int online,
            int available) {
        if (property.equalsIgnoreCase("off") || !os.toLowerCase(Locale.ROOT).contains("linux")) return false;
        if (affinity != null || maxThreads != null || minThreads != null) return false;
        return online >= 2 && available == online;
    }

    /** The number of online CPUs when they are numbered 0..n-1 ("0-7" in sysfs), else -1. */
    static int onlineCpus() {
        try {
            return parseOnline(Files.readString(Path.of("/sys/devices/system/cpu/online"), StandardCharsets.US_ASCII));
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    static int parseOnline(String s) {
        String t = s.strip();
        if (t.equals("0")) return 1;
        if (!t.matches("0-\\d+")) return -1;
        return Integer.parseInt(t.substring(2)) + 1;
    }
}
