package io.edgecl.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgecl.api.ModelSource;
import io.edgecl.api.Prediction;
import io.edgecl.api.Session;
import io.edgecl.api.SessionOptions;
import io.edgecl.io.image.ImageDecoder;
import io.edgecl.io.image.Preprocessor;
import io.edgecl.models.VisionModel;
import io.edgecl.tensor.HostTensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Transformer on local[2], checked against {@link Session#run} on the same images. */
class EdgeClClassifierTest {
    @TempDir
    static Path dir;

    static List<Path> files;
    static VisionModel model;
    static Session session;
    static Preprocessor pre;

    @BeforeAll
    static void open() throws Exception {
        files = SparkTests.images(dir);
        ModelSource demo = ModelSource.of(null, null, null);
        model = demo.modelOrDemo();
        session = Session.open(model, demo.weightsOrDemo(), SessionOptions.defaults());
        pre = new Preprocessor(model.preprocess());
    }

    @AfterAll
    static void close() {
        session.close();
    }

    /** Session.run's logits for one file, as classify computes them. */
    static float[] expected(Path file) {
        HostTensor t = pre.apply(ImageDecoder.decode(file));
        return session.run(t).logits().data();
    }

    static void assertClose(float[] want, float[] got, String what) {
        assertEquals(want.length, got.length, what);
        float max = 1;
        for (float v : want) max = Math.max(max, Math.abs(v));
        for (int i = 0; i < want.length; i++) {
            assertTrue(
                    Math.abs(want[i] - got[i]) <= 1e-4 * max, what + " logit " + i + ": " + want[i] + " vs " + got[i]);
        }
    }

    static float[] floats(List<Float> l) {
        float[] out = new float[l.size()];
        for (int i = 0; i < out.length; i++) out[i] = l.get(i);
        return out;
    }

    /** Each row checked against Session.run: logits, top class, its name, the top-k and their probabilities. */
    static void checkRows(List<Row> rows, String nameCol) {
        assertEquals(files.size(), rows.size());
        for (Row r : rows) {
            String name = Path.of(java.net.URI.create(r.getString(r.fieldIndex(nameCol))))
                    .getFileName()
                    .toString();
            assertNull(r.get(r.fieldIndex("error")), name);
            float[] want = expected(dir.resolve(name));
            float[] got = floats(r.getList(r.fieldIndex("logits")));
            assertClose(want, got, name);
            List<Prediction> top = Prediction.topk(new HostTensor(new int[] {1, want.length}, want), 3)
                    .get(0);
            assertEquals(top.get(0).index(), r.getInt(r.fieldIndex("prediction")), name);
            assertEquals(model.labels().get(top.get(0).index()), r.getString(r.fieldIndex("label")), name);
            List<Row> probs = r.getList(r.fieldIndex("probability"));
            assertEquals(3, probs.size(), name);
            for (int k = 0; k < 3; k++) {
                assertEquals(top.get(k).index(), probs.get(k).getInt(0), name);
                assertEquals(
                        model.labels().get(top.get(k).index()), probs.get(k).getString(1), name);
                assertEquals(top.get(k).probability(), probs.get(k).getDouble(2), 1e-5, name);
            }
        }
    }

    @Test
    void binaryFileRowsGiveSessionRunsResults() {
        SparkSession spark = SparkTests.spark();
        Dataset<Row> in = spark.read().format("binaryFile").load(dir.toString());
        List<Row> rows = new EdgeClClassifier()
                .setInputCol("content")
                .setTopK(3)
                .setLogitsCol("logits")
                .setBatchSize(3)
                .transform(in)
                .collectAsList();
        checkRows(rows, "path");
    }

    @Test
    void imageSourceRowsGiveSessionRunsResults() {
        // Spark's image source decodes with ImageIO into BGR(A) or gray bytes: one gray PNG per
        // sample, a colour JPEG and a PNG with alpha cover its three layouts.
        SparkSession spark = SparkTests.spark();
        Dataset<Row> in = spark.read().format("image").load(dir.toString());
        Dataset<Row> out = new EdgeClClassifier()
                .setTopK(3)
                .setLogitsCol("logits")
                .transform(in)
                .withColumn("origin", org.apache.spark.sql.functions.col("image.origin"));
        Map<Integer, Integer> channels = new HashMap<>();
        for (Row r : in.select("image.nChannels").collectAsList()) channels.merge(r.getInt(0), 1, Integer::sum);
        assertEquals(Map.of(1, 6, 3, 1, 4, 1), channels, "gray, BGR and BGRA images");
        checkRows(out.collectAsList(), "origin");
    }

    @Test
    void aCorruptImageGivesAnErrorAndTheRestGoOn(@TempDir Path bad) throws Exception {
        for (Path f : files) Files.copy(f, bad.resolve(f.getFileName()));
        Files.copy(SparkTests.core().resolve("tests/resources/images/not-an-image.png"), bad.resolve("broken.png"));
        SparkSession spark = SparkTests.spark();
        Dataset<Row> in = spark.read().format("binaryFile").load(bad.toString()).coalesce(1);
        List<Row> rows = new EdgeClClassifier()
                .setInputCol("content")
                .setBatchSize(4)
                .transform(in)
                .select("path", "prediction", "label", "probability", "error")
                .collectAsList();
        assertEquals(files.size() + 1, rows.size());
        int errors = 0;
        for (Row r : rows) {
            if (r.getString(0).endsWith("broken.png")) {
                errors++;
                assertNull(r.get(1));
                assertNull(r.get(2));
                assertNull(r.get(3));
                assertNotNull(r.getString(4));
                assertTrue(r.getString(4).contains("broken.png"), r.getString(4));
            } else {
                assertNull(r.get(4), r.getString(0));
                assertEquals(
                        Prediction.topk(
                                        new HostTensor(
                                                new int[] {1, model.numClasses()},
                                                expected(Path.of(java.net.URI.create(r.getString(0))))),
                                        1)
                                .get(0)
                                .get(0)
                                .index(),
                        r.getInt(1));
            }
        }
        assertEquals(1, errors);
    }

    @Test
    void anImageSourceRowItCouldNotDecodeGivesAnError(@TempDir Path bad) throws Exception {
        Files.copy(files.get(0), bad.resolve(files.get(0).getFileName()));
        Files.copy(SparkTests.core().resolve("tests/resources/images/not-an-image.png"), bad.resolve("broken.png"));
        Dataset<Row> in = SparkTests.spark().read().format("image").load(bad.toString());
        List<Row> rows = new EdgeClClassifier()
                .transform(in)
                .select("image.origin", "prediction", "error")
                .sort("origin")
                .collectAsList();
        assertEquals(2, rows.size());
        assertTrue(rows.get(1).getString(0).endsWith("broken.png"), rows.toString());
        assertNull(rows.get(1).get(1));
        assertTrue(
                rows.get(1).getString(2).endsWith("broken.png: Spark's image source could not decode this file"),
                rows.get(1).getString(2));
        assertNull(rows.get(0).get(2));
    }

    @Test
    void oneSessionPerJvmServesEveryPartition() {
        SparkSession spark = SparkTests.spark();
        Dataset<Row> in = spark.read().format("binaryFile").load(dir.toString()).repartition(8);
        assertEquals(8, in.rdd().getNumPartitions());
        // Options no other test uses, so this run opens its own session.
        EdgeClClassifier c = new EdgeClClassifier().setInputCol("content").setNoFuse("se-gate");
        long before = ExecutorModels.opened();
        assertEquals(files.size(), c.transform(in).filter("error is null").count());
        assertEquals(1, ExecutorModels.opened() - before, "sessions opened for 8 partitions");
        assertEquals(files.size(), c.transform(in).filter("error is null").count());
        assertEquals(1, ExecutorModels.opened() - before, "and none for a second job");
    }

    @Test
    void saveAndLoadRoundTrip(@TempDir Path saved) throws Exception {
        SparkTests.spark();
        EdgeClClassifier c = new EdgeClClassifier()
                .setInputCol("content")
                .setTopK(2)
                .setBatchSize(7)
                .setPrecision("fp32")
                .setNoFuse("all")
                .setLabels("a", "b", "c")
                .setLogitsCol("scores");
        String path = saved.resolve("classifier").toString();
        c.write().save(path);
        EdgeClClassifier back = EdgeClClassifier.load(path);
        assertEquals(c.uid(), back.uid());
        assertEquals(c.params().length, back.params().length);
        for (org.apache.spark.ml.param.Param<?> p : c.params()) {
            Object want = c.getOrDefault(p), got = back.getOrDefault(back.getParam(p.name()));
            assertTrue(java.util.Objects.deepEquals(want, got), p.name() + ": " + want + " vs " + got);
            assertEquals(c.isSet(p), back.isSet(back.getParam(p.name())), p.name());
        }
        assertArrayEquals(new String[] {"a", "b", "c"}, back.getOrDefault(back.labels()));
        Dataset<Row> in = SparkTests.spark().read().format("binaryFile").load(dir.toString());
        List<Row> a = c.transform(in)
                .select("path", "prediction", "scores")
                .sort("path")
                .collectAsList();
        List<Row> b = back.transform(in)
                .select("path", "prediction", "scores")
                .sort("path")
                .collectAsList();
        assertEquals(a, b);
        // the given names label the first classes, "class i" the rest
        for (Row r : back.transform(in).select("prediction", "label").collectAsList()) {
            int p = r.getInt(0);
            assertEquals(p < 3 ? List.of("a", "b", "c").get(p) : "class " + p, r.getString(1));
        }
    }

    @Test
    void wrongColumnsAreRefusedByName() {
        Dataset<Row> in = SparkTests.spark().read().format("binaryFile").load(dir.toString());
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> new EdgeClClassifier().transform(in));
        assertTrue(e.getMessage().contains("input column 'image'"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> new EdgeClClassifier().setInputCol("length").transform(in));
        assertTrue(e.getMessage().contains("'length' is bigint"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> new EdgeClClassifier()
                        .setInputCol("content")
                        .setLabelCol("path")
                        .transform(in));
        assertTrue(e.getMessage().contains("output column 'path' exists"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> new EdgeClClassifier()
                        .setInputCol("content")
                        .setModelSpec("{\"family\": \"nope\"}")
                        .transform(in));
        assertTrue(e.getMessage().contains("unknown model family 'nope'"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> new EdgeClClassifier()
                        .setInputCol("content")
                        .setModel("no_such_model")
                        .transform(in));
        assertTrue(e.getMessage().contains("no_such_model"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> new EdgeClClassifier()
                        .setInputCol("content")
                        .setModel("lraspp_mobilenet_v3_large")
                        .transform(in));
        assertTrue(e.getMessage().contains("is a segmentation model"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new EdgeClClassifier().setBatchSize(0));
    }
}
