package io.edgecl.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.edgecl.models.GoldenCase;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code edgecl detect} with torchvision's SSDLite and ml-cvnets' SSD fixtures: printed boxes,
 * COCO results file, drawn PNG.
 */
class DetectCliTest {
    private static final Path CAT = Path.of("tests/resources/images/cat.jpg");

    @ParameterizedTest
    @ValueSource(strings = {"ssdlite320_mobilenet_v3_large_035", "ssd_mobilevit_xxs"})
    void detectPrintsWritesCocoResultsAndDrawsTheBoxes(String name, @TempDir Path dir) throws Exception {
        GoldenCase gc = GoldenCase.load(name);
        Path config = dir.resolve("case.json");
        Files.copy(gc.dir().resolve("case.json"), config);
        Path out = dir.resolve("det");
        var r = PredictCliTest.run(
                "detect",
                "--model-config",
                config.toString(),
                "-w",
                gc.weights().toString(),
                "--score",
                "0.5",
                "--out",
                out.toString(),
                "--json",
                CAT.toString());
        assertEquals(0, r.code(), r.err());
        JsonObject j = JsonParser.parseString(r.out().trim()).getAsJsonObject();
        BufferedImage cat = ImageIO.read(CAT.toFile());
        JsonArray dets = j.getAsJsonArray("detections");
        assertTrue(dets.size() > 0, "random weights with confident logits give boxes");
        float last = Float.MAX_VALUE;
        for (var e : dets) {
            JsonObject d = e.getAsJsonObject();
            float s = d.get("score").getAsFloat();
            assertTrue(s >= 0.5f && s <= last, "at --score or above, best first: " + d);
            last = s;
            JsonArray b = d.getAsJsonArray("box");
            assertTrue(b.get(0).getAsFloat() >= 0 && b.get(2).getAsFloat() <= cat.getWidth() + 1e-3, d.toString());
            assertTrue(b.get(1).getAsFloat() >= 0 && b.get(3).getAsFloat() <= cat.getHeight() + 1e-3, d.toString());
        }
        JsonArray coco = JsonParser.parseString(Files.readString(out.resolve("cat.detections.json")))
                .getAsJsonArray();
        assertEquals(dets.size(), coco.size());
        JsonObject c0 = coco.get(0).getAsJsonObject(), d0 = dets.get(0).getAsJsonObject();
        JsonArray bbox = c0.getAsJsonArray("bbox"), box = d0.getAsJsonArray("box");
        assertEquals(d0.get("label").getAsInt(), c0.get("category_id").getAsInt());
        assertEquals(
                box.get(2).getAsFloat() - box.get(0).getAsFloat(), bbox.get(2).getAsFloat(), 1e-3);
        BufferedImage drawn = ImageIO.read(out.resolve("cat.boxes.png").toFile());
        assertEquals(cat.getWidth(), drawn.getWidth());
        assertEquals(cat.getHeight(), drawn.getHeight());
    }

    /** With no model options, the embedded demo detector finds the sneaker of the first held-out scene. */
    @Test
    void theDemoDetectorIsTheDefault() {
        var r = PredictCliTest.run("detect", "--json", "tests/resources/demo/fmnist-boxes/scene000.png");
        assertEquals(0, r.code(), r.err());
        JsonObject j = JsonParser.parseString(r.out().trim()).getAsJsonObject();
        assertEquals("ssdlite_fmnist_demo", j.get("model").getAsString());
        JsonObject d = j.getAsJsonArray("detections").get(0).getAsJsonObject();
        assertEquals("Sneaker", d.get("name").getAsString());
    }

    @Test
    void aSegmenterIsRefusedInOneLine() {
        var r = PredictCliTest.run("detect", "-m", "lraspp_mobilenet_v3_large", CAT.toString());
        assertTrue(r.code() != 0);
        assertTrue(r.err().contains("is not a detection model"), r.err());
    }
}
