package io.edgecl.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.edgecl.api.CocoEval;
import io.edgecl.api.Session;
import io.edgecl.api.SessionOptions;
import io.edgecl.io.CocoAnnotations;
import io.edgecl.io.image.ImageDecoder;
import io.edgecl.io.image.RgbImage;
import io.edgecl.tensor.HostTensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The embedded demo detector against PyTorch: on each of the 50 held-out scenes that
 * {@code tools/demo/train_detector.py} wrote, EdgeCL's detections equal PyTorch's (same labels,
 * scores within 1e-4, boxes within 1e-2 px), so COCO's mAP over them is PyTorch's too.
 */
class DemoDetectorTest {
    static final Path SCENES = Path.of("tests/resources/demo/fmnist-boxes");

    @Test
    void everySceneGivesPyTorchsDetectionsAndTheSameMap() throws Exception {
        Detector model = (Detector) DemoDetector.load();
        assertEquals(DemoDetector.NAME, model.name());
        assertEquals("Ankle boot", model.labels().get(10));
        CocoAnnotations ann = CocoAnnotations.read(SCENES.resolve("instances.json"));
        Map<Long, List<JsonObject>> torch = new HashMap<>();
        List<CocoEval.Detection> torchDets = new ArrayList<>(), ours = new ArrayList<>();
        for (JsonElement e : JsonParser.parseString(Files.readString(SCENES.resolve("torch_detections.json")))
                .getAsJsonArray()) {
            JsonObject d = e.getAsJsonObject();
            torch.computeIfAbsent(d.get("image_id").getAsLong(), k -> new ArrayList<>())
                    .add(d);
            var b = d.getAsJsonArray("bbox");
            torchDets.add(new CocoEval.Detection(
                    d.get("image_id").getAsLong(),
                    d.get("category_id").getAsInt(),
                    new double[] {
                        b.get(0).getAsDouble(),
                        b.get(1).getAsDouble(),
                        b.get(2).getAsDouble(),
                        b.get(3).getAsDouble()
                    },
                    d.get("score").getAsDouble()));
        }
        try (Session s = Session.open((VisionModel) model, DemoDetector.weights(), SessionOptions.defaults())) {
            for (CocoAnnotations.Image im : ann.images()) {
                RgbImage img = ImageDecoder.decode(SCENES.resolve(im.file()));
                SsdPostprocess.Detections d = s.detect(img);
                List<JsonObject> ref = torch.getOrDefault(im.id(), List.of());
                int n = ref.size();
                float[] boxes = new float[4 * n], scores = new float[n], labels = new float[n];
                for (int i = 0; i < n; i++) {
                    var b = ref.get(i).getAsJsonArray("bbox");
                    float x = b.get(0).getAsFloat(), y = b.get(1).getAsFloat();
                    boxes[4 * i] = x;
                    boxes[4 * i + 1] = y;
                    boxes[4 * i + 2] = x + b.get(2).getAsFloat();
                    boxes[4 * i + 3] = y + b.get(3).getAsFloat();
                    scores[i] = ref.get(i).get("score").getAsFloat();
                    labels[i] = ref.get(i).get("category_id").getAsInt();
                }
                Map<String, HostTensor> io = Map.of(
                        "boxes", new HostTensor(new int[] {1, n, 4}, boxes),
                        "scores", new HostTensor(new int[] {1, n}, scores),
                        "labels", new HostTensor(new int[] {1, n}, labels));
                DetectorsGoldenTest.assertSameDetections(io, d, "PyTorch", 1);
                for (int i = 0; i < d.size(); i++) {
                    float[] b = d.boxes()[i];
                    ours.add(new CocoEval.Detection(
                            im.id(),
                            d.labels()[i],
                            new double[] {b[0], b[1], b[2] - b[0], b[3] - b[1]},
                            d.scores()[i]));
                }
            }
        }
        List<CocoEval.Truth> truths = new ArrayList<>();
        for (var a : ann.annotations())
            truths.add(new CocoEval.Truth(a.image(), a.category(), a.box(), a.area(), a.crowd()));
        CocoEval.Summary mine = CocoEval.evaluate(truths, ours), theirs = CocoEval.evaluate(truths, torchDets);
        assertEquals(theirs.ap(), mine.ap(), 1e-4, "mAP@[.5:.95]");
        assertEquals(theirs.ap50(), mine.ap50(), 1e-4, "mAP@.5");
        assertEquals(theirs.ar100(), mine.ar100(), 1e-4, "mAR@100");
        assertTrue(mine.ap50() > 0.5, "the demo detector finds the items: mAP@.5 " + mine.ap50());
    }

    @Test
    void aClassifierIsNotADetector() throws Exception {
        try (Session s = Session.open(DemoModel.load(), DemoModel.weights(), SessionOptions.defaults())) {
            RgbImage img = ImageDecoder.decode(SCENES.resolve("scene000.png"));
            var e = org.junit.jupiter.api.Assertions.assertThrows(io.edgecl.EdgeClException.class, () -> s.detect(img));
            assertTrue(e.getMessage().contains("is not a detection model"), e.getMessage());
        }
    }
}
