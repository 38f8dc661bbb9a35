package io.edgecl.cl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgecl.TestSupport;
import io.edgecl.Warnings;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A damaged program cache (truncated, zeroed, bit-flipped, from another version) never reaches
 * the driver, which would crash on it: each entry is checked, reported once and rebuilt.
 */
class CacheDamageTest {
    private final List<String> warnings = new ArrayList<>();

    @BeforeEach
    void captureWarnings() {
        Warnings.setSink(warnings::add);
    }

    @AfterEach
    void restoreWarnings() {
        Warnings.setSink(null);
    }

    private static float[] vecAdd(ClContext ctx, int tag) {
        float[] a = {1, 2, 3, 4, 5}, b = {10, 20, 30, 40, 50};
        try (ClBuffer da = ctx.upload(a, "a");
                ClBuffer db = ctx.upload(b, "b");
                ClBuffer dc = ctx.alloc(20, "c");
                ClKernel k = ctx.kernel(Map.of("EDGECL_TEST_KEY", String.valueOf(tag)), "vec_add", "elementwise.cl")) {
            k.arg(da).arg(db).arg(dc).arg(5);
            k.launch(new long[] {5}, null);
            return ctx.read(dc, 5);
        }
    }

    @Test
    void everyKindOfDamageIsRebuiltWithOneWarning(@TempDir Path dir) throws Exception {
        ClContext shared = TestSupport.context();
        ProgramCache cache = new ProgramCache(dir);
        float[] want = {11, 22, 33, 44, 55};
        List<UnaryOperator<byte[]>> damages = List.of(
                b -> java.util.Arrays.copyOf(b, Math.min(1000, b.length / 2)), // truncated
                b -> java.util.Arrays.copyOf(b, 10), // shorter than the header
                b -> new byte[b.length], // zeroed
                b -> flip(b, b.length / 2), // a bit flipped in the binary
                b -> flip(b, 12), // a bit flipped in the length
                b -> flip(b, b.length - 1), // the last byte
                b -> java.util.Arrays.copyOfRange(b, 48, b.length)); // a bare binary of an older cache format
        int tag = 100;
        for (UnaryOperator<byte[]> damage : damages) {
            tag++;
            try (ClContext c = new ClContext(shared.device(), cache)) {
                assertArrayEquals(want, vecAdd(c, tag), 0f);
            }
            try (var files = Files.list(dir)) {
                List<Path> entries = files.toList();
                assertEquals(1, entries.size(), "the entry to damage was written: " + entries);
                for (Path f : entries) Files.write(f, damage.apply(Files.readAllBytes(f)));
            }
            warnings.clear();
            try (ClContext c = new ClContext(shared.device(), cache)) {
                assertArrayEquals(want, vecAdd(c, tag), 0f, "rebuilt from source after damage " + tag);
                assertEquals(0, c.programsFromCache());
            }
            assertEquals(1, warnings.size(), "one warning per damaged entry: " + warnings);
            assertTrue(warnings.get(0).contains("rebuilding"), warnings.get(0));
            // The rebuilt entry is whole again and loads without a warning.
            warnings.clear();
            try (ClContext c = new ClContext(shared.device(), cache)) {
                assertArrayEquals(want, vecAdd(c, tag), 0f);
                assertEquals(1, c.programsFromCache());
            }
            assertTrue(warnings.isEmpty(), warnings.toString());
            try (var files = Files.list(dir)) {
                for (Path f : files.toList()) Files.delete(f);
            }
        }
    }

    private static byte[] flip(byte[] b, int i) {
        byte[] c = b.clone();
        c[Math.min(i, c.length - 1)] ^= 0x10;
        return c;
    }

    /** The reproduction from a user's report: truncate every entry, classify again; same answer, exit 0. */
    @Test
    void classifyWithATruncatedCacheStillAnswers(@TempDir Path dir) throws Exception {
        Path image = Path.of("src/main/resources/io/edgecl/demo/samples/00000_ankle_boot.png");
        Run first = classify(dir, image);
        assertEquals(0, first.code, first.out);
        Path programs = dir.resolve("programs");
        try (var files = Files.list(programs)) {
            for (Path f : files.toList()) {
                byte[] b = Files.readAllBytes(f);
                Files.write(f, java.util.Arrays.copyOf(b, Math.min(1000, b.length)));
            }
        }
        Run second = classify(dir, image);
        assertEquals(0, second.code, second.out);
        assertTrue(second.out.contains("warning: program cache entry"), second.out);
        assertFalse(second.out.contains("hs_err") || second.out.contains("Assertion"), second.out);
        String top = first.out
                .lines()
                .filter(l -> l.trim().startsWith("1."))
                .findFirst()
                .orElseThrow();
        assertTrue(second.out.contains(top), second.out);
    }

    private record Run(int code, String out) {}

    private static Run classify(Path cacheDir, Path image) throws Exception {
        String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        ProcessBuilder pb = new ProcessBuilder(
                        java,
                        "-cp",
                        System.getProperty("java.class.path"),
                        "io.edgecl.cli.Main",
                        "classify",
                        image.toString())
                .redirectErrorStream(true);
        pb.environment().put(ProgramCache.DIR_ENV, cacheDir.toString());
        // EdgeCL's binary cache even where the driver keeps its own (PoCL), since it is what is damaged here
        pb.environment().put("EDGECL_PROGRAM_CACHE", "on");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        return new Run(p.exitValue(), out);
    }
}
