package io.edgecl.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgecl.TestSupport;
import io.edgecl.models.GoldenCase;
import io.edgecl.ops.Tuning;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TuneCliTest {
    /**
     * tune measures every GEMM shape, then compares the whole forward before and after in
     * alternating rounds: kept, the choices are in the device's file; not kept, the file holds
     * what it held before (which of the two happens depends on the machine's noise).
     */
    @Test
    void tuneKeepsChoicesOnlyWhenTheForwardGetsFaster(@TempDir Path dir) throws Exception {
        Path cfg = dir.resolve("case.json");
        Files.copy(GoldenCase.load("edgenext_tiny").dir().resolve("case.json"), cfg);
        Path file = Tuning.file(TestSupport.context().info());
        String key = "\"gemm2:fp32:256x64x16\"";
        String before = Files.isRegularFile(file) ? entry(Files.readString(file), key) : null;
        var r = PredictCliTest.run("tune", "--model-config", cfg.toString(), "--size", "64", "--reps", "1",
                "--rounds", "3");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("GEMM shapes") && r.out().contains("alternating rounds): before"), r.out());
        String after = Files.isRegularFile(file) ? entry(Files.readString(file), key) : null;
        if (r.out().contains("\nkept: stored in")) {
            assertTrue(after != null, "kept choices are stored: " + r.out());
        } else {
            assertTrue(r.out().contains("not kept"), r.out());
            assertEquals(before, after, "a choice that was not kept leaves the file as it was");
        }
        // a tuned plan still computes the reference outputs
        io.edgecl.models.GoldenModelsTest.check("edgenext_tiny", java.util.Set.of());
    }

    private static String entry(String json, String key) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile(java.util.regex.Pattern.quote(key)
                + "\\s*:\\s*\"([^\"]*)\"").matcher(json);
        return m.find() ? m.group(1) : null;
    }
}
