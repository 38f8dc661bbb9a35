package io.edgecl.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgecl.EdgeClException;
import io.edgecl.cl.DeviceClass;
import io.edgecl.cl.DeviceClass.Kind;
import io.edgecl.cl.DeviceClass.Match;
import io.edgecl.tensor.Precision;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Kernel choices as data: one parser per family, defaults per device class, forced over tuned over default. */
class KernelChoicesTest {
    private static final DeviceClass CPU = DeviceClass.of(Kind.CPU, "AuthenticAMD", "pthread-skylake-avx512-AMD EPYC");
    private static final DeviceClass MALI = DeviceClass.of(Kind.GPU, "ARM", "Mali-G78");

    @Test
    void everyCandidateParsesBackFromItsWrittenForm() {
        for (KernelFamily<?> f : KernelFamily.ALL) {
            assertTrue(!f.candidates().isEmpty(), f + " has candidates");
            for (Object c : f.candidates()) assertEquals(c, f.parse(f.format(c)), f + ": " + c);
            assertTrue(f.distinctCandidates().size() <= f.candidates().size());
            assertEquals(f, KernelFamily.byName(f.name()));
        }
        // the panel rows are a speed choice, not a code path: selftest checks one per width
        assertEquals(
                List.of("tiled", "rows", "block:8", "block8:8", "panel:8x8", "panel:8x16", "panel:4x32"),
                KernelFamily.GEMM.distinctCandidates().stream()
                        .map(Object::toString)
                        .toList());
    }

    @Test
    void anUnknownValueOrFamilyNamesWhatIsAccepted() {
        EdgeClException e = assertThrows(EdgeClException.class, () -> KernelFamily.ATTENTION.parse("fast"));
        assertEquals("kernel choice attention=fast: use direct, packed or blocked", e.getMessage());
        e = assertThrows(EdgeClException.class, () -> KernelFamily.CONV.parse("rows"));
        assertTrue(e.getMessage().startsWith("kernel choice conv=rows: use direct, panel"), e.getMessage());
        e = assertThrows(EdgeClException.class, () -> KernelFamily.byName("softmax"));
        assertTrue(
                e.getMessage().contains("gemm, conv, dwconv, dwconv-ln, layernorm, attention, xca, cascade"),
                e.getMessage());
    }

    @Test
    void cpusGetTheExplicitVectorKernelsAndOtherDevicesTheWorkGroupOnes() {
        assertEquals(Gemm.Config.PANEL_BY_SHAPE, KernelDefaults.get(CPU, KernelFamily.GEMM));
        assertEquals(Attention.Variant.BLOCKED, KernelDefaults.get(CPU, KernelFamily.ATTENTION));
        assertEquals(SplitCascade.Form.SPLIT, KernelDefaults.get(CPU, KernelFamily.CASCADE));
        assertEquals("tiled", KernelDefaults.get(MALI, KernelFamily.GEMM).toString());
        assertEquals(ChannelAttention.Form.GROUP, KernelDefaults.get(MALI, KernelFamily.XCA));
        assertEquals(DepthwiseConv.LnForm.GROUP, KernelDefaults.get(MALI, KernelFamily.DWCONV_LN));
        Map<String, String> d = KernelDefaults.describe(CPU);
        assertEquals("blocked (cpu)", d.get("attention"));
        assertEquals(KernelFamily.ALL.size(), d.size());
    }

    /** A row names only what differs from the level above; the most specific matching row wins, per family. */
    @Test
    void theMostSpecificMatchingRowWinsPerFamily() {
        List<KernelDefaults.Row> rows = List.of(
                row(
                        Match.ANY,
                        KernelFamily.ATTENTION,
                        Attention.Variant.DIRECT,
                        KernelFamily.CASCADE,
                        SplitCascade.Form.PACKED),
                row(Match.kind(Kind.GPU), KernelFamily.ATTENTION, Attention.Variant.PACKED),
                row(
                        Match.architecture(Kind.GPU, DeviceClass.Vendor.ARM, "valhall"),
                        KernelFamily.ATTENTION,
                        Attention.Variant.BLOCKED),
                row(Match.vendor(Kind.GPU, DeviceClass.Vendor.ARM), KernelFamily.CASCADE, SplitCascade.Form.SPLIT));
        assertEquals(Attention.Variant.BLOCKED, KernelDefaults.resolve(rows, MALI, KernelFamily.ATTENTION));
        assertEquals(SplitCascade.Form.SPLIT, KernelDefaults.resolve(rows, MALI, KernelFamily.CASCADE));
        DeviceClass bifrost = DeviceClass.of(Kind.GPU, "ARM", "Mali-G52 r1");
        assertEquals(Attention.Variant.PACKED, KernelDefaults.resolve(rows, bifrost, KernelFamily.ATTENTION));
        assertEquals(Attention.Variant.DIRECT, KernelDefaults.resolve(rows, CPU, KernelFamily.ATTENTION));
        assertEquals(SplitCascade.Form.PACKED, KernelDefaults.resolve(rows, CPU, KernelFamily.CASCADE));
    }

    /** The table is a text file in the jar; a bad row is an error naming the file, the line and the value. */
    @Test
    void theTableIsDataAndABadRowSaysWhere() {
        List<KernelDefaults.Row> rows =
                KernelDefaults.parse("# c\nany gemm=tiled:4\n\ngpu/arm/valhall  attention=packed # why\n", "t");
        assertEquals(2, rows.size());
        assertEquals(
                new Match(Kind.GPU, DeviceClass.Vendor.ARM, "valhall", null),
                rows.get(1).match());
        assertEquals(Attention.Variant.PACKED, KernelDefaults.resolve(rows, MALI, KernelFamily.ATTENTION));
        EdgeClException e = assertThrows(EdgeClException.class, () -> KernelDefaults.parse("any\ncpu gemm=fast", "t"));
        assertTrue(e.getMessage().startsWith("t, line 2: kernel choice gemm=fast: use tiled"), e.getMessage());
        e = assertThrows(EdgeClException.class, () -> KernelDefaults.parse("cpu xca=item xca=group", "t"));
        assertEquals("t, line 1: xca set twice", e.getMessage());
        e = assertThrows(EdgeClException.class, () -> KernelDefaults.parse("tpu gemm=rows", "t"));
        assertTrue(e.getMessage().startsWith("t, line 1: "), e.getMessage());
        // the shipped table gives every family a default on any device
        for (KernelFamily<?> f : KernelFamily.ALL) {
            assertTrue(
                    KernelDefaults.rows().get(0).match().equals(Match.ANY)
                            && KernelDefaults.rows().get(0).values().containsKey(f),
                    f.name());
        }
        assertEquals("panel:auto (cpu)", KernelDefaults.describe(CPU).get("gemm"));
    }

    private static KernelDefaults.Row row(Match m, Object... familyValue) {
        Map<KernelFamily<?>, Object> v = new LinkedHashMap<>();
        for (int i = 0; i < familyValue.length; i += 2) v.put((KernelFamily<?>) familyValue[i], familyValue[i + 1]);
        return new KernelDefaults.Row(m, v);
    }

    @Test
    void forcedBeatsTunedBeatsTheDefault() {
        String opShape = "LayerNorm:1x8x8x32,>1x8x8x32:0";
        Map<String, String> tuned = Map.of(
                new TuningKey(KernelFamily.LAYERNORM, Precision.FP32, opShape).toString(), "row",
                TuningKey.gemm(Precision.FP32, 64, 32, 16).toString(), "rows",
                new TuningKey(KernelFamily.ATTENTION, Precision.FP32, opShape).toString(), "no-longer-a-variant");
        KernelChoices table = KernelChoices.DEFAULTS.withTuned(tuned);
        OpChoices op = table.at(Precision.FP32, opShape);
        assertEquals(LayerNorm.Form.ROW, op.get(KernelFamily.LAYERNORM).orElseThrow());
        assertEquals("rows", op.gemm(64, 32, 16).orElseThrow().toString(), "a GEMM problem's own measurement");
        assertTrue(op.gemm(64, 32, 17).isEmpty());
        assertTrue(op.get(KernelFamily.ATTENTION).isEmpty(), "a stale tuned value falls back to the default");
        assertTrue(
                table.at(Precision.FP16_STORAGE, opShape)
                        .get(KernelFamily.LAYERNORM)
                        .isEmpty(),
                "tuned per precision");
        assertTrue(table.at(Precision.FP32, "other").get(KernelFamily.LAYERNORM).isEmpty(), "tuned per op shape");
        OpChoices forced = table.forcing(KernelFamily.LAYERNORM, LayerNorm.Form.VEC)
                .forcingParsed(KernelFamily.GEMM, "panel:4x32")
                .at(Precision.FP32, opShape);
        assertEquals(LayerNorm.Form.VEC, forced.get(KernelFamily.LAYERNORM).orElseThrow());
        assertEquals("panel:4x32", forced.gemm(64, 32, 16).orElseThrow().toString());
        assertTrue(OpChoices.DEFAULTS.get(KernelFamily.LAYERNORM).isEmpty());
        assertNotEquals(
                table.forcedByName(),
                KernelChoices.DEFAULTS
                        .forcing(KernelFamily.CASCADE, SplitCascade.Form.PACKED)
                        .forcedByName());
    }

    /**
     * The register tiles: narrow ones (AVX2's 16 registers) are half the wide ones in the panel
     * GEMM, the panel conv and dw_gemm's 1x1 conv; auto takes the wide ones exactly where the
     * device's float vectors hold 16.
     */
    @Test
    void registerTilesFollowTheVectorWidthUnlessForced() {
        // the test device as a CPU (the panel kernels' device class), whatever it reports
        io.edgecl.cl.ClDevice d = io.edgecl.TestSupport.context().device();
        try (io.edgecl.cl.ClContext ctx = new io.edgecl.cl.ClContext(new io.edgecl.cl.ClDevice(
                d.binding(), d.platform(), d.device(), d.info().limitedTo("type=cpu")))) {
            OpChoices wide = OpChoices.forcing(KernelFamily.TILES, Gemm.Tiles.WIDE);
            OpChoices narrow = OpChoices.forcing(KernelFamily.TILES, Gemm.Tiles.NARROW);
            assertEquals(new Gemm.Config(Gemm.Variant.PANEL, 8, 32), Gemm.config(wide, ctx, 784, 192, 96));
            assertEquals(new Gemm.Config(Gemm.Variant.PANEL, 5, 16), Gemm.config(narrow, ctx, 784, 192, 96));
            assertEquals(new Gemm.Config(Gemm.Variant.PANEL, 1, 16), Gemm.config(narrow, ctx, 1, 1280, 960));
            assertEquals(new Gemm.Config(Gemm.Variant.PANEL, 5, 8), Gemm.config(narrow, ctx, 784, 8, 96));
            assertEquals(new Gemm.Config(Gemm.Variant.PANEL, 4, 32), Conv2d.panel(wide, ctx, 32));
            assertEquals(new Gemm.Config(Gemm.Variant.PANEL, 4, 16), Conv2d.panel(narrow, ctx, 32));
            assertEquals(new Gemm.Config(Gemm.Variant.PANEL, 8, 32), DepthwiseGemm.panels(wide, ctx, 96));
            assertEquals(new Gemm.Config(Gemm.Variant.PANEL, 5, 16), DepthwiseGemm.panels(narrow, ctx, 96));
            boolean sixteen = ctx.info().preferredFloatWidth() >= 16;
            assertEquals(
                    sixteen,
                    Gemm.wideTiles(OpChoices.DEFAULTS, ctx),
                    "auto on " + ctx.info().name());
            assertEquals(
                    Gemm.config(sixteen ? wide : narrow, ctx, 784, 192, 96),
                    Gemm.config(OpChoices.DEFAULTS, ctx, 784, 192, 96));
        }
        assertEquals(Gemm.Tiles.NARROW, KernelFamily.TILES.parse("narrow"));
        assertEquals(List.of(Gemm.Tiles.WIDE, Gemm.Tiles.NARROW), KernelFamily.TILES.candidates());
    }
}
