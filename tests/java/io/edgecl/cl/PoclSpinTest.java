package io.edgecl.cl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgecl.TestSupport;
import io.edgecl.api.Device;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * tools/pocl-spin.c, built by tools/pocl-spin.sh as {@code ./edgecl} builds it: preloaded into a
 * JVM on PoCL's CPU device, it finds PoCL's workers and makes them poll, the tiny networks still
 * match their stored logits, and EdgeCL reads the setting back; with {@code
 * EDGECL_POCL_SPIN_US=0} it marks no thread, and a JVM without it reports that it is absent.
 */
class PoclSpinTest {
    private static final Pattern STATS = Pattern.compile(
            "edgecl-pocl-spin\\[(\\d+)\\]: (\\d+) workers, spin (\\d+) us, yield every (\\d+) us, (\\d+) woken while"
                    + " polling, (\\d+) time-outs, (\\d+) sleeps");

    @Test
    void poclWorkersPollWithTheLibraryPreloaded(@TempDir Path tmp) throws Exception {
        DeviceInfo info = TestSupport.context().info();
        if (!info.isCpu() || !info.platformName().contains("Portable Computing Language")) {
            TestSupport.skipDeviceLimit(
                    "the library acts on PoCL's CPU device only; the default device is " + info.name());
        }
        // this JVM has not preloaded it
        assertEquals(
                -1, Device.wrap(TestSupport.context()).poclWorkerPollMicros().orElseThrow());

        String lib = build(tmp);
        if (lib.isEmpty()) TestSupport.skip("no C compiler (cc, gcc, clang, clang-N) to build tools/pocl-spin.c");
        assertTrue(Files.isRegularFile(Path.of(lib)), lib);

        Run on = cli(lib, Map.of(), "selftest", "--only", "mobilenetv4", "--precision", "fp32", "--no-variants");
        assertEquals(0, on.code, on.out);
        assertTrue(on.out.contains("selftest: PASS"), on.out);
        Matcher m = stats(on);
        assertTrue(Integer.parseInt(m.group(2)) >= 1, "PoCL's workers found: " + on.out);
        assertEquals("200", m.group(3), "the default: " + on.out);
        // a CPU of its own for the host is not a given: on one CPU a polling worker yields at every look
        Process nproc = new ProcessBuilder("nproc").start();
        int cpus = Integer.parseInt(new String(nproc.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip());
        assertEquals(cpus > 1 ? "10" : "0", m.group(4), "the default on " + cpus + " CPUs: " + on.out);
        assertTrue(Long.parseLong(m.group(5)) + Long.parseLong(m.group(6)) >= 1, "the workers polled: " + on.out);

        Run off = cli(
                lib,
                Map.of("EDGECL_POCL_SPIN_US", "0", "EDGECL_POCL_SPIN_YIELD_US", "3"),
                "bench",
                "-m",
                "mobilenetv4_conv_small",
                "--random-weights",
                "--iters",
                "2",
                "--json");
        assertEquals(0, off.code, off.out);
        assertTrue(off.out.contains("\"pocl_worker_poll_us\": 0"), "read from the library: " + off.out);
        Matcher n = stats(off);
        assertEquals("0", n.group(2), "no thread marked: " + off.out);
        assertEquals("0", n.group(3), off.out);
        assertEquals("3", n.group(4), "read from the environment: " + off.out);
    }

    /** The library's path as tools/pocl-spin.sh builds it into a cache folder of its own, or "". */
    private static String build(Path cache) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("bash", "-c", ". tools/pocl-spin.sh && edgecl_pocl_spin_lib");
        pb.environment().put("EDGECL_CACHE_DIR", cache.toString());
        pb.environment().remove("EDGECL_POCL_SPIN_US");
        pb.redirectError(ProcessBuilder.Redirect.INHERIT);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "builds");
        assertEquals(0, p.exitValue(), out);
        return out;
    }

    private record Run(int code, String out, long pid) {}

    private static Run cli(String lib, Map<String, String> env, String... args) throws Exception {
        String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        List<String> cmd =
                new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"), "io.edgecl.cli.Main"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        String preload = pb.environment().get("LD_PRELOAD");
        pb.environment().put("LD_PRELOAD", preload == null || preload.isEmpty() ? lib : preload + ":" + lib);
        pb.environment().put("EDGECL_POCL_SPIN_STATS", "1");
        pb.environment().putAll(env);
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "finishes");
        return new Run(p.exitValue(), out, p.pid());
    }

    /** The JVM's own line of counts (PoCL's linker, run as a child process, prints its own). */
    private static Matcher stats(Run run) {
        Matcher m = STATS.matcher(run.out);
        while (m.find()) {
            if (Long.parseLong(m.group(1)) == run.pid) return m;
        }
        throw new AssertionError("no counts of process " + run.pid + " at exit: " + run.out);
    }
}
