package io.edgecl.cl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** With no OpenCL platform the CLI prints how to install one and exits 2, without a stack trace. */
class NoPlatformTest {
    @ParameterizedTest
    @ValueSource(strings = {"jocl", "lwjgl"})
    void installHintAndExitCode2(String binding) throws Exception {
        String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        ProcessBuilder pb = new ProcessBuilder(List.of(
                java,
                "-cp",
                System.getProperty("java.class.path"),
                "io.edgecl.cli.Main",
                "devices",
                "--binding",
                binding));
        pb.environment().put("OCL_ICD_VENDORS", "/nonexistent-edgecl-test");
        pb.environment().remove("OCL_ICD_FILENAMES");
        pb.redirectErrorStream(true);
        Process p = pb.start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "finishes");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(2, p.exitValue(), out);
        assertTrue(out.contains("apt-get install pocl-opencl-icd"), out);
        assertFalse(out.contains("\tat "), "no stack trace: " + out);
    }
}
