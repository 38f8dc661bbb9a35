package io.edgecl.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.edgecl.TestSupport;
import io.edgecl.io.WeightFile;
import io.edgecl.models.GoldenCase;
import io.edgecl.tensor.HostTensor;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code edgecl predict} and {@code edgecl segment} with a segmentation model (torchvision's LR-ASPP fixture). */
class SegmentCliTest {
    private static final GoldenCase CASE = GoldenCase.load("lraspp_mobilenet_v3_large_035");
    private static final Path CAT = Path.of("tests/resources/images/cat.jpg");

    private static Path config(Path dir) throws Exception {
        Path c = dir.resolve("case.json");
        Files.copy(CASE.dir().resolve("case.json"), c);
        return c;
    }

    @Test
    void predictWritesOutUnderTorchvisionsName(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("out.safetensors");
        var r = PredictCliTest.run(
                "predict",
                "--model-config",
                config(dir).toString(),
                "-w",
                CASE.weights().toString(),
                "--tensors",
                CASE.dir().resolve("io.safetensors").toString(),
                "--out",
                out.toString());
        assertEquals(0, r.code(), r.err());
        Map<String, HostTensor> ref = CASE.io();
        try (WeightFile f = WeightFile.open(out)) {
            assertEquals(java.util.Set.of("out"), f.tensors().keySet());
            HostTensor got = f.read("out");
            assertEquals(ref.get("out").shapeString(), got.shapeString());
            TestSupport.assertClose(ref.get("out").data(), got.data(), "out");
        }
    }

    @Test
    void segmentWritesAPaletteMaskAnOverlayAndTheClassShares(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("masks");
        var r = PredictCliTest.run(
                "segment",
                "--model-config",
                config(dir).toString(),
                "-w",
                CASE.weights().toString(),
                "--size",
                "96",
                "--out",
                out.toString(),
                "--json",
                CAT.toString());
        assertEquals(0, r.code(), r.err());
        JsonObject j = JsonParser.parseString(r.out().trim()).getAsJsonObject();
        BufferedImage cat = ImageIO.read(CAT.toFile());
        assertEquals(cat.getWidth(), j.get("width").getAsInt());
        assertEquals(cat.getHeight(), j.get("height").getAsInt());
        // the model ran at 96 on the short side, the aspect ratio kept
        int shortSide = Math.min(cat.getWidth(), cat.getHeight());
        assertEquals(
                96,
                Math.min(
                        j.getAsJsonArray("model_input").get(0).getAsInt(),
                        j.getAsJsonArray("model_input").get(1).getAsInt()));
        BufferedImage mask = ImageIO.read(out.resolve("cat.mask.png").toFile());
        assertTrue(mask.getColorModel() instanceof IndexColorModel, "a palette PNG");
        assertEquals(cat.getWidth(), mask.getWidth());
        assertEquals(cat.getHeight(), mask.getHeight());
        // the JSON's pixel counts are the mask's
        long[] hist = new long[256];
        var raster = mask.getRaster();
        for (int y = 0; y < mask.getHeight(); y++)
            for (int x = 0; x < mask.getWidth(); x++) hist[raster.getSample(x, y, 0)]++;
        double total = 0;
        for (var c : j.getAsJsonArray("classes")) {
            JsonObject o = c.getAsJsonObject();
            assertEquals(hist[o.get("index").getAsInt()], o.get("pixels").getAsLong(), o.toString());
            total += o.get("fraction").getAsDouble();
        }
        assertEquals(1.0, total, 1e-9);
        assertTrue(shortSide > 96, "the mask is at the image's size, not the model's");
        BufferedImage overlay = ImageIO.read(out.resolve("cat.overlay.png").toFile());
        assertEquals(cat.getWidth(), overlay.getWidth());
        // a second run does not replace the files without --overwrite
        var again = PredictCliTest.run(
                "segment",
                "--model-config",
                dir.resolve("case.json").toString(),
                "-w",
                CASE.weights().toString(),
                "--out",
                out.toString(),
                CAT.toString());
        assertEquals(2, again.code(), again.out() + again.err());
        assertTrue(again.err().contains("exists; pass --overwrite"), again.err());
        try (var files = Files.list(out)) {
            assertFalse(files.anyMatch(f -> f.getFileName().toString().startsWith(".")), "no partial files");
        }
    }

    /** DeepLabV3's checkpoint with its training-only aux_classifier: inspect says it fits and what it skips. */
    @Test
    void inspectNamesTheSkippedAuxiliaryHead(@TempDir Path dir) throws Exception {
        GoldenCase gc = GoldenCase.load("deeplabv3_mobilenet_v3_large_025");
        Path c = dir.resolve("case.json");
        Files.copy(gc.dir().resolve("case.json"), c);
        var buf = new java.io.ByteArrayOutputStream();
        var cl = new picocli.CommandLine(
                new InspectCommand(new java.io.PrintStream(buf, true, java.nio.charset.StandardCharsets.UTF_8)));
        assertEquals(0, cl.execute(gc.weights().toString(), "--model-config", c.toString()));
        String out = buf.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(
                out.matches("(?s).*fits deeplabv3_mobilenet_v3_large.*skips \\d+ tensors \\(the auxiliary FCN head.*"),
                out);
    }

    @Test
    void aClassifierIsRefusedInOneLine() {
        var r = PredictCliTest.run("segment", "-m", "mobilenetv3_small_050", CAT.toString());
        assertTrue(r.code() != 0);
        assertTrue(r.err().contains("is a classifier; segment needs a segmentation model"), r.err());
    }
}
