package io.edgecl.cl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Both bindings open the library the search finds (not the linker's unversioned libOpenCL.so),
 * an unset binding falls back from JOCL to LWJGL with one notice, and a binding the user named
 * is never swapped. Each case runs the CLI in a fresh JVM, since a binding opens OpenCL once.
 */
class BindingSelectionTest {
    @Test
    void joclOpensTheLibraryTheSearchFound() {
        ClBinding jocl = Bindings.create("jocl");
        assertTrue(
                jocl.library().startsWith("/"),
                "an explicit path from the search, not JOCL's default: " + jocl.library());
        assertEquals(jocl.library(), Bindings.create("lwjgl").library(), "both bindings open the same file");
    }

    @Test
    void unsetBindingFallsBackToLwjglAndSaysSoOnce() throws Exception {
        String lib = Bindings.create("lwjgl").library();
        Run r = cli(
                List.of("-Dedgecl.opencl.lib=/nonexistent/libOpenCL.so", "-Dorg.lwjgl.opencl.libname=" + lib),
                "devices");
        assertEquals(0, r.code, r.out);
        assertTrue(r.out.contains("binding: lwjgl"), r.out);
        assertEquals(1, count(r.out, "using the lwjgl binding"), r.out);
    }

    @Test
    void namedBindingIsNotSwappedAndTheErrorSaysWhichWorks() throws Exception {
        String lib = Bindings.create("lwjgl").library();
        Run r = cli(
                List.of("-Dedgecl.opencl.lib=/nonexistent/libOpenCL.so", "-Dorg.lwjgl.opencl.libname=" + lib),
                "devices",
                "--binding",
                "jocl");
        assertEquals(2, r.code, r.out);
        assertTrue(r.out.contains("/nonexistent/libOpenCL.so (absent)"), r.out);
        assertTrue(r.out.contains("use --binding lwjgl"), r.out);
        assertEquals(1, r.out.strip().split("\n").length, "one line: " + r.out);
    }

    @Test
    void nothingOpensGivesOneLineListingTheAttempts() throws Exception {
        for (String binding : new String[] {null, "jocl", "lwjgl"}) {
            List<String> args = new ArrayList<>(List.of("devices"));
            if (binding != null) args.addAll(List.of("--binding", binding));
            Run r = cli(List.of("-Dedgecl.opencl.lib=/nonexistent/libOpenCL.so"), args.toArray(String[]::new));
            assertEquals(2, r.code, r.out);
            assertTrue(r.out.contains("/nonexistent/libOpenCL.so (absent)"), r.out);
            assertTrue(r.out.contains("apt-get install pocl-opencl-icd"), r.out);
            assertFalse(r.out.contains("\tat "), "no stack trace: " + r.out);
            assertEquals(1, r.out.strip().split("\n").length, "one line: " + r.out);
        }
    }

    private record Run(int code, String out) {}

    private static Run cli(List<String> jvmArgs, String... args) throws Exception {
        String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        List<String> cmd = new ArrayList<>(List.of(java));
        cmd.addAll(jvmArgs);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.edgecl.cli.Main"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().remove(Bindings.ENV);
        pb.environment().remove(OpenClLibrary.ENV);
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "finishes");
        return new Run(p.exitValue(), out);
    }

    private static int count(String s, String what) {
        int n = 0;
        for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + 1)) n++;
        return n;
    }
}
