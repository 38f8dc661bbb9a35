package io.edgecl.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.edgecl.TestSupport;
import io.edgecl.api.Device;
import io.edgecl.api.Session;
import io.edgecl.api.SessionOptions;
import io.edgecl.io.image.ImageDecoder;
import io.edgecl.io.image.RgbImage;
import io.edgecl.models.Detectors;
import io.edgecl.models.GoldenCase;
import io.edgecl.models.ModelWeights;
import io.edgecl.models.Models;
import io.edgecl.models.SsdPostprocess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code eval --task detection}: with COCO ground truth made of the model's own confident boxes,
 * every box is found again and the scores are the library's for the same boxes.
 */
class EvalDetectionCliTest {
    private static final GoldenCase CASE = GoldenCase.load("ssdlite320_mobilenet_v3_large_035");
    private static final String[] IMAGES = {"tests/resources/images/cat.jpg", "tests/resources/images/coffee-alpha.png"
    };

    @Test
    void theModelsOwnConfidentBoxesAreFoundAgain(@TempDir Path dir) throws Exception {
        Path images = dir.resolve("images");
        Files.createDirectories(images);
        JsonArray ims = new JsonArray(), anns = new JsonArray(), cats = new JsonArray();
        for (int c = 1; c < 5; c++) {
            JsonObject o = new JsonObject();
            o.addProperty("id", c);
            o.addProperty("name", "class" + c);
            cats.add(o);
        }
        Detectors model = (Detectors) Models.fromSpec(CASE.spec());
        int annId = 1;
        java.util.List<io.edgecl.api.CocoEval.Truth> tr = new java.util.ArrayList<>();
        java.util.List<io.edgecl.api.CocoEval.Detection> de = new java.util.ArrayList<>();
        try (Session s = Session.open(
                model,
                ModelWeights.load(CASE.weights(), CASE.keyFormat()),
                SessionOptions.defaults().withDevice(Device.wrap(TestSupport.context())))) {
            for (int i = 0; i < IMAGES.length; i++) {
                Path src = Path.of(IMAGES[i]);
                Files.copy(src, images.resolve(src.getFileName()));
                RgbImage img = ImageDecoder.decode(src);
                JsonObject im = new JsonObject();
                im.addProperty("id", i + 10);
                im.addProperty("file_name", src.getFileName().toString());
                im.addProperty("width", img.width());
                im.addProperty("height", img.height());
                ims.add(im);
                var r = s.run(model.transform(img), Set.copyOf(model.headOutputs()));
                SsdPostprocess.Detections d = model.detections(r.asMap(), 0, img.height(), img.width());
                for (int k = 0; k < d.size(); k++) {
                    float[] b = d.boxes()[k];
                    de.add(new io.edgecl.api.CocoEval.Detection(
                            i + 10, d.labels()[k], new double[] {b[0], b[1], b[2] - b[0], b[3] - b[1]}, d.scores()[k]));
                    if (!(d.scores()[k] < 0.5f || b[2] - b[0] < 1 || b[3] - b[1] < 1))
                        tr.add(new io.edgecl.api.CocoEval.Truth(
                                i + 10,
                                d.labels()[k],
                                new double[] {b[0], b[1], b[2] - b[0], b[3] - b[1]},
                                (b[2] - b[0]) * (b[3] - b[1]),
                                false));
                    // boxes clipped at the border to (almost) no width or height: the JSON's decimal
                    // digits move their edges by a rounding, which changes the IoU of a sliver a lot
                    if (d.scores()[k] < 0.5f || b[2] - b[0] < 1 || b[3] - b[1] < 1) continue;
                    JsonObject a = new JsonObject();
                    a.addProperty("id", annId++);
                    a.addProperty("image_id", i + 10);
                    a.addProperty("category_id", d.labels()[k]);
                    JsonArray bbox = new JsonArray();
                    bbox.add(b[0]);
                    bbox.add(b[1]);
                    bbox.add(b[2] - b[0]);
                    bbox.add(b[3] - b[1]);
                    a.add("bbox", bbox);
                    a.addProperty("area", (b[2] - b[0]) * (b[3] - b[1]));
                    a.addProperty("iscrowd", 0);
                    anns.add(a);
                }
            }
        }
        assertTrue(anns.size() > 4, "ground truth to find");
        // the library's evaluation of the same boxes; every ground-truth box is found again
        io.edgecl.api.CocoEval.Summary direct = io.edgecl.api.CocoEval.evaluate(tr, de);
        assertEquals(1.0, direct.ar100(), 1e-12);
        JsonObject coco = new JsonObject();
        coco.add("images", ims);
        coco.add("annotations", anns);
        coco.add("categories", cats);
        Path ann = dir.resolve("instances.json");
        Files.writeString(ann, coco.toString());
        Path config = dir.resolve("case.json");
        Files.copy(CASE.dir().resolve("case.json"), config);
        var r = PredictCliTest.run(
                "eval",
                "--model-config",
                config.toString(),
                "-w",
                CASE.weights().toString(),
                "--annotations",
                ann.toString(),
                "--images",
                images.toString(),
                "--json");
        assertEquals(0, r.code(), r.err());
        JsonObject j = JsonParser.parseString(r.out()).getAsJsonObject();
        assertEquals(2, j.get("images").getAsInt());
        assertEquals(direct.ap(), j.get("map").getAsDouble(), 1e-9);
        assertEquals(direct.ap50(), j.get("map_50").getAsDouble(), 1e-9);
        assertEquals(1.0, j.get("mar_100").getAsDouble(), 1e-9);
        // the confident boxes left out of the ground truth (slivers at the border) are the only misses
        assertTrue(j.get("map").getAsDouble() > 0.9, j.toString());
    }

    @Test
    void aFileThatIsNotCocoIsNamed(@TempDir Path dir) throws Exception {
        Path ann = dir.resolve("bad.json");
        Files.writeString(ann, "{\"images\": []}");
        Path config = dir.resolve("case.json");
        Files.copy(CASE.dir().resolve("case.json"), config);
        var r = PredictCliTest.run(
                "eval",
                "--model-config",
                config.toString(),
                "-w",
                CASE.weights().toString(),
                "--annotations",
                ann.toString(),
                "--images",
                dir.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("bad.json is not COCO annotations: no 'annotations' list"), r.err());
    }
}
