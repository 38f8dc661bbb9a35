package io.edgecl.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.edgecl.TestSupport;
import io.edgecl.api.Device;
import io.edgecl.api.SegmentationMask;
import io.edgecl.api.SegmentationMetrics;
import io.edgecl.api.Session;
import io.edgecl.api.SessionOptions;
import io.edgecl.io.image.ImageDecoder;
import io.edgecl.io.image.MaskImages;
import io.edgecl.io.image.RgbImage;
import io.edgecl.models.GoldenCase;
import io.edgecl.models.ModelWeights;
import io.edgecl.models.Models;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code eval --task segmentation} over a VOC-layout folder whose answers are known. */
class EvalSegmentationCliTest {
    private static final GoldenCase CASE = GoldenCase.load("lraspp_mobilenet_v3_large_035");
    private static final Path[] IMAGES = {
        Path.of("tests/resources/images/cat.jpg"),
        Path.of("src/main/resources/io/edgecl/demo/samples/00000_ankle_boot.png")
    };

    private static SegmentationMask predicted(Path image) {
        try (Session s = Session.open(
                Models.fromSpec(CASE.spec()),
                ModelWeights.load(CASE.weights(), CASE.keyFormat()),
                SessionOptions.defaults().withDevice(Device.wrap(TestSupport.context())))) {
            return s.segment(ImageDecoder.decode(image), 520);
        }
    }

    @Test
    void masksOfTheModelsOwnAnswersScoreOneAndAChangedRegionScoresWhatItShould(@TempDir Path dir) throws Exception {
        Path root = dir.resolve("voc");
        Files.createDirectories(root.resolve("JPEGImages"));
        Files.createDirectories(root.resolve("SegmentationClass"));
        SegmentationMetrics want = new SegmentationMetrics(21);
        for (int i = 0; i < IMAGES.length; i++) {
            String ext = IMAGES[i].toString().endsWith(".png") ? ".png" : ".jpg";
            Files.copy(IMAGES[i], root.resolve("JPEGImages").resolve("im" + i + ext));
            SegmentationMask p = predicted(IMAGES[i]);
            byte[] truth = p.classIndex().clone();
            if (i == 1) {
                // the top rows: class 7, and a border of 255 that is not counted
                for (int k = 0; k < p.width() * 3; k++) truth[k] = 7;
                for (int k = p.width() * 3; k < p.width() * 4; k++) truth[k] = (byte) 255;
            }
            want.add(p.classIndex(), truth);
            MaskImages.writePng(
                    MaskImages.palette(truth, p.width(), p.height()),
                    root.resolve("SegmentationClass").resolve("im" + i + ".png"));
        }
        Path config = dir.resolve("case.json");
        Files.copy(CASE.dir().resolve("case.json"), config);
        var r = PredictCliTest.run(
                "eval",
                "--model-config",
                config.toString(),
                "-w",
                CASE.weights().toString(),
                "--data",
                root.toString(),
                "--json");
        assertEquals(0, r.code(), r.err());
        JsonObject j = JsonParser.parseString(r.out()).getAsJsonObject();
        assertEquals(2, j.get("images").getAsInt());
        assertTrue(want.meanIou() < 1.0, "the changed rows cost something");
        assertEquals(want.meanIou(), j.get("miou").getAsDouble(), 1e-12);
        assertEquals(want.pixelAccuracy(), j.get("pixel_accuracy").getAsDouble(), 1e-12);
    }

    @Test
    void anRgbMaskIsRefusedNamingTheFile(@TempDir Path dir) throws Exception {
        Path root = dir.resolve("voc");
        Files.createDirectories(root.resolve("JPEGImages"));
        Files.createDirectories(root.resolve("SegmentationClass"));
        Files.copy(IMAGES[0], root.resolve("JPEGImages").resolve("a.jpg"));
        RgbImage img = ImageDecoder.decode(IMAGES[0]);
        ImageIO.write(
                new BufferedImage(img.width(), img.height(), BufferedImage.TYPE_INT_RGB),
                "png",
                root.resolve("SegmentationClass").resolve("a.png").toFile());
        Path config = dir.resolve("case.json");
        Files.copy(CASE.dir().resolve("case.json"), config);
        var r = PredictCliTest.run(
                "eval",
                "--model-config",
                config.toString(),
                "-w",
                CASE.weights().toString(),
                "--data",
                root.toString());
        assertEquals(2, r.code(), r.out() + r.err());
        assertTrue(r.err().contains("a.png is not a class-index mask"), r.err());
    }
}
