package io.edgecl.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgecl.api.ModelSource;
import io.edgecl.api.SegmentationMask;
import io.edgecl.api.Session;
import io.edgecl.api.SessionOptions;
import io.edgecl.io.image.ImageDecoder;
import io.edgecl.io.image.RgbImage;
import io.edgecl.models.SsdPostprocess;
import io.edgecl.models.VisionModel;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The segmenter and detector Transformers against Session.segment and Session.detect on the same images. */
class DenseHeadsTest {
    /** A few of the demo's scenes and a broken file, in {@code dir}. */
    static void scenes(Path from, String glob, Path dir, int n) throws Exception {
        try (var s = Files.newDirectoryStream(from, glob)) {
            int i = 0;
            for (Path p : s) {
                if (i++ < n) Files.copy(p, dir.resolve(p.getFileName()));
            }
        }
        Files.copy(SparkTests.core().resolve("tests/resources/images/not-an-image.png"), dir.resolve("broken.png"));
    }

    static Path file(Row r) {
        return Path.of(URI.create(r.getString(r.fieldIndex("path"))));
    }

    @Test
    void segmenterGivesSessionSegmentsMasks(@TempDir Path dir) throws Exception {
        scenes(SparkTests.core().resolve("tests/resources/demo/fmnist-scenes/JPEGImages"), "*", dir, 3);
        Dataset<Row> in = SparkTests.spark().read().format("binaryFile").load(dir.toString());
        List<Row> rows = new EdgeClSegmenter()
                .setInputCol("content")
                .setSize(64)
                .transform(in)
                .collectAsList();
        assertEquals(4, rows.size());
        ModelSource demo = ModelSource.of(null, null, null);
        VisionModel model = demo.segmenterOrDemo();
        int checked = 0;
        try (Session s = Session.open(model, demo.segmenterWeightsOrDemo(), SessionOptions.defaults())) {
            for (Row r : rows) {
                Path f = file(r);
                if (f.getFileName().toString().equals("broken.png")) {
                    assertNull(r.get(r.fieldIndex("mask")));
                    assertTrue(r.getString(r.fieldIndex("error")).contains("broken.png"));
                    continue;
                }
                assertNull(r.get(r.fieldIndex("error")), f.toString());
                RgbImage img = ImageDecoder.decode(f);
                SegmentationMask want = s.segment(img, 64);
                Row mask = r.getStruct(r.fieldIndex("mask"));
                assertEquals(want.width(), mask.getInt(0));
                assertEquals(want.height(), mask.getInt(1));
                assertArrayEquals(want.classIndex(), (byte[]) mask.get(2), f.toString());
                List<Row> classes = r.getList(r.fieldIndex("classes"));
                long[] hist = want.histogram();
                double total = 0;
                for (Row c : classes) {
                    int k = c.getInt(0);
                    assertEquals(hist[k] / (double) (want.width() * want.height()), c.getDouble(2), 1e-12);
                    assertEquals(model.labels().get(k), c.getString(1));
                    total += c.getDouble(2);
                }
                assertEquals(1.0, total, 1e-9);
                checked++;
            }
        }
        assertEquals(3, checked);
    }

    @Test
    void detectorGivesSessionDetectsBoxes(@TempDir Path dir) throws Exception {
        scenes(SparkTests.core().resolve("tests/resources/demo/fmnist-boxes"), "scene00[0-2].png", dir, 3);
        Dataset<Row> in = SparkTests.spark().read().format("binaryFile").load(dir.toString());
        List<Row> rows = new EdgeClDetector()
                .setInputCol("content")
                .setMinScore(0.3)
                .transform(in)
                .collectAsList();
        assertEquals(4, rows.size());
        ModelSource demo = ModelSource.of(null, null, null);
        VisionModel model = demo.detectorOrDemo();
        int checked = 0, boxes = 0;
        try (Session s = Session.open(model, demo.detectorWeightsOrDemo(), SessionOptions.defaults())) {
            for (Row r : rows) {
                Path f = file(r);
                if (f.getFileName().toString().equals("broken.png")) {
                    assertNull(r.get(r.fieldIndex("boxes")));
                    assertTrue(r.getString(r.fieldIndex("error")).contains("broken.png"));
                    continue;
                }
                assertNull(r.get(r.fieldIndex("error")), f.toString());
                SsdPostprocess.Detections d = s.detect(ImageDecoder.decode(f));
                List<Row> got = r.getList(r.fieldIndex("boxes"));
                int k = 0;
                for (int i = 0; i < d.size(); i++) {
                    if (d.scores()[i] < 0.3) continue;
                    Row b = got.get(k++);
                    assertEquals(d.labels()[i], b.getInt(0));
                    assertEquals(model.labels().get(d.labels()[i]), b.getString(1));
                    assertEquals(d.scores()[i], b.getFloat(2), 1e-6);
                    for (int j = 0; j < 4; j++) assertEquals(d.boxes()[i][j], b.getFloat(3 + j), 1e-3);
                }
                assertEquals(k, got.size(), f.toString());
                boxes += k;
                checked++;
            }
        }
        assertEquals(3, checked);
        assertTrue(boxes > 0, "the scenes hold objects");
    }

    @Test
    void eachTransformerRefusesAnotherTasksModelByName() {
        Dataset<Row> in = SparkTests.spark()
                .read()
                .format("binaryFile")
                .load(SparkTests.core().resolve("tests/resources/images").toString());
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> new EdgeClSegmenter()
                        .setInputCol("content")
                        .setModel("edgenext_xx_small")
                        .transform(in));
        assertTrue(e.getMessage().contains("is a classifier: run it with EdgeClClassifier"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> new EdgeClDetector()
                        .setInputCol("content")
                        .setModel("lraspp_mobilenet_v3_large")
                        .transform(in));
        assertTrue(e.getMessage().contains("is a segmentation model: run it with EdgeClSegmenter"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> new EdgeClClassifier()
                        .setInputCol("content")
                        .setModel("ssdlite320_mobilenet_v3_large")
                        .transform(in));
        assertTrue(e.getMessage().contains("is a detection model: run it with EdgeClDetector"), e.getMessage());
    }

    @Test
    void segmenterAndDetectorSaveAndLoad(@TempDir Path saved) throws Exception {
        SparkTests.spark();
        EdgeClSegmenter s = new EdgeClSegmenter().setSize(100).setMaskCol("m");
        s.write().save(saved.resolve("s").toString());
        EdgeClSegmenter s2 = EdgeClSegmenter.load(saved.resolve("s").toString());
        assertEquals(100, (Integer) s2.getOrDefault(s2.size()));
        assertEquals("m", s2.getOrDefault(s2.maskCol()));
        EdgeClDetector d = new EdgeClDetector().setMinScore(0.5).setDevice("cpu");
        d.write().save(saved.resolve("d").toString());
        EdgeClDetector d2 = EdgeClDetector.load(saved.resolve("d").toString());
        assertEquals(0.5, (Double) d2.getOrDefault(d2.minScore()));
        assertEquals("cpu", d2.getOrDefault(d2.device()));
        assertEquals(d.uid(), d2.uid());
    }
}
