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
     * what it held before (which of the two happens depends on the machine's noise). Then every
     * variant of the other kernel families the model uses is tried on the whole forward; only
     * one reported as kept adds entries to the file.
     */
    /**
     * In a cache root of its own: what tune keeps must not reach the rest of the test run, whose
     * checks are of the defaults.
     */
    @Test
    void tuneKeepsChoicesOnlyWhenTheForwardGetsFaster(@TempDir Path dir) throws Exception {
        String root = System.getProperty(io.edgecl.cl.ProgramCache.DIR_PROPERTY);
        Path shared = Tuning.file(TestSupport.context().info());
        String sharedBefore = Files.isRegularFile(shared) ? Files.readString(shared) : null;
        System.setProperty(
                io.edgecl.cl.ProgramCache.DIR_PROPERTY, dir.resolve("cache").toString());
        try {
            tune(dir);
        } finally {
            if (root == null) System.clearProperty(io.edgecl.cl.ProgramCache.DIR_PROPERTY);
            else System.setProperty(io.edgecl.cl.ProgramCache.DIR_PROPERTY, root);
        }
        assertEquals(
                sharedBefore,
                Files.isRegularFile(shared) ? Files.readString(shared) : null,
                "the shared tuning file is untouched");
        assertEquals(0, Tuning.size(TestSupport.context()), "no tuned choice in reach of the other tests");
    }

    private void tune(Path dir) throws Exception {
        Path cfg = dir.resolve("case.json");
        Files.copy(GoldenCase.load("edgenext_tiny").dir().resolve("case.json"), cfg);
        Path file = Tuning.file(TestSupport.context().info());
        String key = "\"gemm/fp32/256x64x16\"";
        String text = Files.isRegularFile(file) ? Files.readString(file) : "";
        String before = entry(text, key);
        long variantsBefore = familyEntries(text);
        var r = PredictCliTest.run(
                "tune", "--model-config", cfg.toString(), "--size", "64", "--reps", "1", "--rounds", "3");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("GEMM shapes") && r.out().contains("alternating rounds): before"), r.out());
        text = Files.isRegularFile(file) ? Files.readString(file) : "";
        String after = entry(text, key);
        if (r.out().contains("ms: kept")) {
            assertTrue(after != null, "kept choices are stored: " + r.out());
        } else {
            assertTrue(r.out().contains("not kept"), r.out());
            assertEquals(before, after, "a choice that was not kept leaves the file as it was");
        }
        // the model's families were each tried: its depthwise + LayerNorm, channel attention and LayerNorm
        assertTrue(
                r.out().contains("kernel families")
                        && r.out().contains("dwconv-ln")
                        && r.out().contains("xca")
                        && r.out().contains("layernorm"),
                r.out());
        boolean anyKept = r.out().lines().anyMatch(l -> l.startsWith("  ") && l.endsWith(" kept"));
        if (!anyKept) assertEquals(variantsBefore, familyEntries(text), "no variant kept, none stored: " + r.out());
        else assertTrue(familyEntries(text) > 0, "a kept variant is stored: " + r.out());
        // a tuned plan still computes the reference outputs
        io.edgecl.models.GoldenModelsTest.checkTuned("edgenext_tiny");
    }

    /** Entries of the kernel families other than GEMM (keyed per op shape: "family/precision/shape"). */
    private static long familyEntries(String text) {
        String names = io.edgecl.ops.KernelFamily.ALL.stream()
                .filter(f -> f != io.edgecl.ops.KernelFamily.GEMM)
                .map(f -> java.util.regex.Pattern.quote(f.name()))
                .collect(java.util.stream.Collectors.joining("|"));
        return java.util.regex.Pattern.compile("\"(" + names + ")/")
                .matcher(text)
                .results()
                .count();
    }

    private static String entry(String json, String key) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile(
                        java.util.regex.Pattern.quote(key) + "\\s*:\\s*\"([^\"]*)\"")
                .matcher(json);
        return m.find() ? m.group(1) : null;
    }
}
