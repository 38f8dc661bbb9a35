package io.edgecl.cl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgecl.TestSupport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ClRuntimeTest {

    /** The input paths: straight from an array (waits) and through a direct buffer (may not). */
    @ParameterizedTest
    @ValueSource(strings = {"jocl", "lwjgl"})
    void arrayAndStagedWritesLandAsWritten(String binding) {
        ClContext ctx = TestSupport.context(binding);
        float[] a = TestSupport.random(new Random(3), 777, 1);
        try (ClBuffer b = ctx.alloc(4L * a.length + 64, "b")) {
            ctx.write(b, a);
            assertArrayEquals(a, ctx.read(b, a.length));
            java.nio.ByteBuffer staged =
                    java.nio.ByteBuffer.allocateDirect(4 * a.length).order(java.nio.ByteOrder.nativeOrder());
            for (float v : a) staged.putFloat(-v);
            staged.flip();
            ctx.writeBytesAsync(b, staged);
            ctx.finish();
            float[] got = ctx.read(b, a.length);
            for (int i = 0; i < a.length; i++) assertEquals(-a[i], got[i], 0f, "element " + i);
            assertThrows(IllegalArgumentException.class, () -> ctx.write(b, new float[a.length + 17]));
        }
        assertEquals(binding.equals("lwjgl"), ctx.writesAsync());
    }

    @ParameterizedTest
    @ValueSource(strings = {"jocl", "lwjgl"})
    void vectorAddMatchesJava(String binding) {
        ClContext ctx = TestSupport.context(binding);
        int n = 1003;
        Random r = new Random(1);
        float[] a = TestSupport.random(r, n, 1), b = TestSupport.random(r, n, 1);
        int before = ctx.liveBuffers();
        try (ClBuffer da = ctx.upload(a, "a");
                ClBuffer db = ctx.upload(b, "b");
                ClBuffer out = ctx.alloc(4L * n, "out");
                ClKernel k = ctx.program(Map.of(), "elementwise.cl").kernel("vec_add")) {
            k.arg(da).arg(db).arg(out).arg(n);
            k.launch(new long[] {1024}, new long[] {64});
            float[] got = ctx.read(out, n);
            for (int i = 0; i < n; i++) assertEquals(a[i] + b[i], got[i], 0f, "element " + i);
        }
        assertEquals(before, ctx.liveBuffers(), "every buffer released");
    }

    @ParameterizedTest
    @ValueSource(strings = {"jocl", "lwjgl"})
    void tiledGemmWithEpilogueMatchesJava(String binding) {
        ClContext ctx = TestSupport.context(binding);
        // odd sizes: not multiples of the tile
        int m = 77, n = 45, k = 37, ldc = 50;
        Random r = new Random(2);
        float[] a = TestSupport.random(r, m * k, 1), w = TestSupport.random(r, k * n, 1);
        float[] bias = TestSupport.random(r, n, 1), gamma = TestSupport.random(r, n, 1);
        float[] res = TestSupport.random(r, m * ldc, 1);
        float[] ref = res.clone();
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int q = 0; q < k; q++) s += (double) a[i * k + q] * w[q * n + j];
                double v = s + bias[j];
                v = 0.5 * v * (1 + io.edgecl.ops.MathRef.erf(v / Math.sqrt(2)));
                ref[i * ldc + j] = (float) (v * gamma[j] + res[i * ldc + j]);
            }
        }
        Map<String, String> defs = Map.of("HAS_BIAS", "1", "ACT", "ACT_GELU", "HAS_GAMMA", "1", "HAS_RESIDUAL", "1");
        try (ClBuffer da = ctx.upload(a, "a");
                ClBuffer dw = ctx.upload(w, "w");
                ClBuffer db = ctx.upload(bias, "bias");
                ClBuffer dg = ctx.upload(gamma, "gamma");
                ClBuffer dc = ctx.upload(res, "c");
                ClKernel kern = ctx.program(defs, "gemm.cl").kernel("gemm")) {
            // C and R alias: the residual is read before the same element is written
            kern.arg(da).arg(dw).arg(db).arg(dg).arg(dc).arg(dc);
            kern.arg(m).arg(n).arg(k).arg(k).arg(ldc).arg(ctx.placeholder()).arg(1);
            kern.launch(new long[] {((n + 31) / 32) * 8, ((m + 31) / 32) * 8}, new long[] {8, 8});
            TestSupport.assertClose(ref, ctx.read(dc, m * ldc), "gemm");
        }
    }

    /**
     * A program's binary is stored once its kernels have run (on a driver that compiles them at
     * first launch, PoCL, the binary is only whole then), and a second context loads it.
     */
    @Test
    void programBinaryCacheIsReusedAcrossContexts(@TempDir Path dir) throws Exception {
        ClContext shared = TestSupport.context();
        ProgramCache cache = new ProgramCache(dir);
        try (ClContext c1 = new ClContext(shared.device(), cache)) {
            ClProgram p = c1.program(Map.of("EDGECL_TEST_KEY", "1"), java.util.List.of("vec_add"), "elementwise.cl");
            assertTrue(!p.fromCache(), "first build compiles");
            vecAdd(c1, p);
        }
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "one entry, written once");
        }
        try (ClContext c2 = new ClContext(shared.device(), cache)) {
            ClProgram p = c2.program(Map.of("EDGECL_TEST_KEY", "1"), java.util.List.of("vec_add"), "elementwise.cl");
            assertTrue(p.fromCache(), "second build loads the cached binary");
            vecAdd(c2, p);
        }
    }

    /** A program whose kernels never ran stores nothing on a driver that compiles at launch. */
    @Test
    void aProgramNotLaunchedIsNotStoredWhereKernelsCompileAtLaunch(@TempDir Path dir) throws Exception {
        ClContext shared = TestSupport.context();
        ProgramCache cache = new ProgramCache(dir);
        try (ClContext c1 = new ClContext(shared.device(), cache)) {
            c1.program(Map.of("EDGECL_TEST_KEY", "3"), java.util.List.of("vec_add"), "elementwise.cl");
        }
        long entries;
        try (var files = Files.list(dir)) {
            entries = files.count();
        }
        assertEquals(ProgramCache.driverCompilesAtLaunch(shared.info()) ? 0 : 1, entries);
    }

    @Test
    void corruptCacheEntryFallsBackToSource(@TempDir Path dir) throws Exception {
        ClContext shared = TestSupport.context();
        ProgramCache cache = new ProgramCache(dir);
        try (ClContext c1 = new ClContext(shared.device(), cache)) {
            vecAdd(c1, c1.program(Map.of("EDGECL_TEST_KEY", "2"), java.util.List.of("vec_add"), "elementwise.cl"));
        }
        try (var files = Files.list(dir)) {
            List<Path> all = files.toList();
            assertEquals(1, all.size(), "the entry to damage");
            for (Path f : all) Files.write(f, new byte[] {1, 2, 3, 4});
        }
        try (ClContext c2 = new ClContext(shared.device(), cache)) {
            ClProgram p = c2.program(Map.of("EDGECL_TEST_KEY", "2"), java.util.List.of("vec_add"), "elementwise.cl");
            assertTrue(!p.fromCache(), "garbage binary is rebuilt from source");
            vecAdd(c2, p);
        }
    }

    private static void vecAdd(ClContext ctx, ClProgram p) {
        try (ClBuffer da = ctx.upload(new float[] {1, 2}, "a");
                ClBuffer db = ctx.upload(new float[] {10, 20}, "b");
                ClBuffer dc = ctx.alloc(8, "c");
                ClKernel k = p.kernel("vec_add")) {
            k.arg(da).arg(db).arg(dc).arg(2);
            k.launch(new long[] {2}, null);
            TestSupport.assertClose(new float[] {11, 22}, ctx.read(dc, 2), "vec_add");
        }
    }

    @Test
    void buildErrorCarriesTheLog() {
        ClContext ctx = TestSupport.context();
        ClBuildException e = assertThrows(
                ClBuildException.class,
                () -> ctx.programFromSource(
                        "broken", "__kernel void k(__global float* x) { x[0] = undefined_name; }", ""));
        assertTrue(e.getMessage().contains("undefined_name"), e.getMessage());
    }

    @Test
    void unknownKernelNameIsATypedError() {
        ClContext ctx = TestSupport.context();
        ClException e = assertThrows(
                ClException.class, () -> ctx.program(Map.of(), "elementwise.cl").kernel("no_such_kernel"));
        assertEquals("CL_INVALID_KERNEL_NAME", e.codeName());
    }

    @Test
    void deviceChoiceBySpec() {
        ClBinding cl = TestSupport.context().cl();
        ClDevice first = Devices.list(cl).get(0);
        assertEquals(first.info().id(), Devices.choose(cl, "0:0").info().id());
        assertEquals(first.info().id(), Devices.choose(cl, "0").info().id());
        String word = first.info().name().substring(0, 3);
        assertEquals(
                first.info().id(), Devices.choose(cl, word.toLowerCase()).info().id());
        assertThrows(io.edgecl.EdgeClException.class, () -> Devices.choose(cl, "9:9"));
        assertThrows(io.edgecl.EdgeClException.class, () -> Devices.choose(cl, "no-such-device-name"));
    }
}
