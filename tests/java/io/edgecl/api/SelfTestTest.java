package io.edgecl.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgecl.TestSupport;
import io.edgecl.cl.KernelSources;
import io.edgecl.tensor.Precision;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The on-device selftest: its stored references are current, it passes here, and it catches a wrong kernel. */
class SelfTestTest {
    /**
     * The logits stored in the jar are what the host reference computes now (a change to a
     * builder or to the reference shows here). With -Dedgecl.selftest.write=FILE they are rewritten.
     */
    @Test
    void storedReferencesAreCurrent() throws Exception {
        Map<String, float[]> now = TinyNetworks.computeReferences();
        String out = System.getProperty("edgecl.selftest.write", "");
        if (!out.isEmpty()) Files.writeString(Path.of(out), TinyNetworks.referencesJson(now));
        Map<String, float[]> stored = TinyNetworks.references();
        assertEquals(now.keySet(), stored.keySet(), "families");
        for (String f : now.keySet()) {
            if (!f.contains("/")) assertEquals(10, now.get(f).length, f + " classes");
            TestSupport.assertClose(now.get(f), stored.get(f), 1e-5, f + " stored reference");
        }
    }

    @Test
    void passesOnThisDeviceInEveryPrecisionItOffers() {
        Device d = Device.wrap(TestSupport.context());
        List<Precision> ps = SelfTest.available(d);
        SelfTest.Report r = SelfTest.run(d, SelfTest.Options.defaults(ps), null);
        for (SelfTest.Check c : r.checks()) {
            if (c.status() == SelfTest.Status.FAIL) System.err.println(c.line());
        }
        assertTrue(r.passed(), r.failures() + " selftest checks failed");
        assertTrue(r.checks().stream().anyMatch(c -> c.kind().equals("model")), "tiny models ran");
        assertTrue(
                r.checks().stream().filter(c -> c.kind().equals("kernel")).count() > 40,
                "every sample, in the default kernels and the variants");
        assertTrue(PrecisionRecord.cachedPasses(d).containsAll(r.passedPrecisions()), "outcome cached");
    }

    /**
     * auto: fp32 on this CPU device without a check; on the same device made to choose as a GPU,
     * fp16 storage once its selftest has run and passed (recorded apart from the CPU's record).
     */
    @Test
    void autoPicksByDeviceKindAndSelftest() {
        Device cpu = Device.wrap(TestSupport.context());
        List<String> notes = new java.util.ArrayList<>();
        assertEquals(Precision.FP32, PrecisionRecord.autoPrecision(cpu, notes::add));
        assertTrue(notes.isEmpty(), "no check on a CPU: " + notes);
        io.edgecl.cl.ClDevice d = TestSupport.context().device();
        try (io.edgecl.cl.ClContext gpu = new io.edgecl.cl.ClContext(new io.edgecl.cl.ClDevice(
                d.binding(), d.platform(), d.device(), d.info().limitedTo("type=gpu")))) {
            Device g = Device.wrap(gpu);
            Precision first = PrecisionRecord.autoPrecision(g, notes::add);
            assertEquals(Precision.FP16_STORAGE, first);
            assertTrue(PrecisionRecord.cachedPasses(g).contains(Precision.FP16_STORAGE), "recorded");
            notes.clear();
            assertEquals(first, PrecisionRecord.autoPrecision(g, notes::add));
            assertTrue(notes.isEmpty(), "the second call reads the record: " + notes);
        }
    }

    /** A kernel that computes wrong (one tap dropped from the vector depthwise conv) is named and fails the run. */
    @Test
    void aWrongKernelVariantFails(@TempDir Path dir) throws Exception {
        String src = KernelSources.load("dwconv.cl");
        // the tap of both vector paths: the general one and the build-time-geometry one
        String broken = src.replace("acc[j] = fma(x, wk, acc[j]);", "acc[j] = acc[j];")
                .replace("acc[j] = fma(x[j * DW_S + kw], wk, acc[j]);", "acc[j] = acc[j];");
        assertTrue(
                !broken.equals(src) && !broken.contains("fma(x[j * DW_S + kw]"),
                "the kernel lines to break are still in dwconv.cl");
        Files.writeString(dir.resolve("dwconv.cl"), broken);
        System.setProperty(KernelSources.DIR_PROPERTY, dir.toString());
        try {
            Device d = Device.wrap(TestSupport.context());
            SelfTest.Report r = SelfTest.run(
                    d,
                    new SelfTest.Options(List.of(Precision.FP32), true, false, null, List.of("dwconv", "gemm/gelu")),
                    null);
            assertTrue(!r.passed(), "a broken depthwise kernel must fail selftest");
            assertTrue(
                    r.checks().stream()
                            .anyMatch(c -> c.status() == SelfTest.Status.FAIL
                                    && c.name().startsWith("dwconv")),
                    "the failing check names the depthwise sample");
            assertTrue(
                    r.checks().stream()
                            .anyMatch(c -> c.status() == SelfTest.Status.PASS
                                    && c.name().startsWith("gemm")),
                    "other kernels still pass");
            assertTrue(!PrecisionRecord.cachedPasses(d).contains(Precision.FP32), "fp32 recorded as failed");
        } finally {
            System.clearProperty(KernelSources.DIR_PROPERTY);
        }
    }

    /**
     * `selftest --golden` on a features-only fixture (built without its classifier), a detector
     * (its post-processing outputs skipped by name, the head's raw outputs checked) and a
     * MobileNetV4 hybrid: nothing fails, and only post-processing outputs are skipped.
     */
    @Test
    void goldenFixturesOfEveryKindPass(@TempDir Path dir) throws Exception {
        Path golden = Path.of("tests/resources/golden");
        for (String c : List.of("mobilenetv3_small_050_os8", "ssd_edgevit_tiny", "mobilenetv4_hybrid_medium_0125")) {
            Files.createSymbolicLink(dir.resolve(c), golden.resolve(c).toAbsolutePath());
        }
        Device d = Device.wrap(TestSupport.context());
        // "golden-only" names no kernel sample, so only the fixtures run
        SelfTest.Report r = SelfTest.run(
                d, new SelfTest.Options(List.of(Precision.FP32), false, false, dir, List.of("golden-only")), null);
        for (SelfTest.Check c : r.checks()) {
            if (c.status() == SelfTest.Status.FAIL) System.err.println(c.line());
        }
        assertTrue(r.passed(), r.failures() + " golden checks failed");
        List<String> skipped = r.checks().stream()
                .filter(c -> c.status() == SelfTest.Status.SKIP)
                .map(SelfTest.Check::name)
                .toList();
        assertEquals(
                List.of(
                        "ssd_edgevit_tiny anchors",
                        "ssd_edgevit_tiny boxes",
                        "ssd_edgevit_tiny labels",
                        "ssd_edgevit_tiny scores"),
                skipped.stream().sorted().toList());
        for (String out : List.of(
                "mobilenetv3_small_050_os8 features.4",
                "ssd_edgevit_tiny cls_logits",
                "mobilenetv4_hybrid_medium_0125 logits")) {
            assertTrue(
                    r.checks().stream().anyMatch(c -> c.name().equals(out) && c.status() == SelfTest.Status.PASS),
                    out + " checked and passed");
        }
    }

    /** selftest's comparison is the shared one: a NaN in the middle fails the check and is named. */
    @Test
    void aNanInTheMiddleFailsACheck() {
        float[] ref = new float[99], got = new float[99];
        for (int i = 0; i < ref.length; i++) ref[i] = got[i] = i * 0.5f;
        got[40] = Float.NaN;
        SelfTest.Check c = SelfTest.compare("kernel", "x", Precision.FP32, "default", "k", ref, got, 1e-4, "");
        assertEquals(SelfTest.Status.FAIL, c.status());
        assertTrue(c.detail().contains("not finite, first at 40"), c.detail());
        got[40] = ref[40];
        assertEquals(
                SelfTest.Status.PASS,
                SelfTest.compare("kernel", "x", Precision.FP32, "default", "k", ref, got, 1e-4, "")
                        .status());
    }

    /**
     * A kernel that skips part of its output (the activation kernel leaves its middle element
     * alone) fails selftest: the plan's activations start as NaN, and NaN never passes.
     */
    @Test
    void aKernelThatLeavesOutputUnwrittenFails(@TempDir Path dir) throws Exception {
        String src = KernelSources.load("elementwise.cl");
        String store = "if (i < n) STC(out, i, edgecl_act_c(LDC(x, i), ACT));";
        assertTrue(src.contains(store), "the activation's store is still in elementwise.cl");
        Files.writeString(
                dir.resolve("elementwise.cl"),
                src.replace(store, "if (i < n && i != n / 2) STC(out, i, edgecl_act_c(LDC(x, i), ACT));"));
        System.setProperty(KernelSources.DIR_PROPERTY, dir.toString());
        try {
            Device d = Device.wrap(TestSupport.context());
            SelfTest.Report r = SelfTest.run(
                    d,
                    new SelfTest.Options(List.of(Precision.FP32), false, false, null, List.of("activation/hswish")),
                    null);
            assertTrue(!r.passed(), "an activation kernel with a hole must fail selftest");
            assertTrue(
                    r.checks().stream()
                            .anyMatch(c -> c.status() == SelfTest.Status.FAIL
                                    && c.name().startsWith("activation")
                                    && c.detail().contains("not finite")),
                    r.checks().toString());
        } finally {
            System.clearProperty(KernelSources.DIR_PROPERTY);
        }
    }
}
