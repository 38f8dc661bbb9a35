package io.edgecl.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code classify} on the image formats, folders, standard input and batches (the demo model). */
class ClassifyCliTest {
    static final Path FORMATS = Paths.get("tests/resources/images/formats");
    static final Path SAMPLES = Paths.get("src/main/resources/io/edgecl/demo/samples");

    /**
     * Each WebP, CMYK/YCCK JPEG, TIFF and 16-bit PNG gets the top-1 of the same image as Pillow
     * converts it, saved as PNG; for every format but lossy WebP, the same probabilities too.
     */
    @Test
    void everyFormatClassifiesAsPillowsPngOfIt(@TempDir Path dir) throws Exception {
        List<String> args = new ArrayList<>(List.of("classify", "--json", "--topk", "1", "--no-progress"));
        Path pngs = Files.createDirectories(dir.resolve("pillow"));
        for (JsonElement e : JsonParser.parseString(Files.readString(FORMATS.resolve("cases.json")))
                .getAsJsonObject()
                .getAsJsonArray("cases")) {
            JsonObject c = e.getAsJsonObject();
            String file = c.get("file").getAsString();
            args.add(FORMATS.resolve(file).toString());
            writePng(
                    Files.readAllBytes(FORMATS.resolve(file + ".u8")),
                    c.get("width").getAsInt(),
                    c.get("height").getAsInt(),
                    pngs.resolve(file + ".png"));
        }
        var r = PredictCliTest.run(args.toArray(String[]::new));
        assertEquals(0, r.code(), r.err());
        Map<String, JsonObject> ours = byImage(r.out());
        var p = PredictCliTest.run("classify", "--json", "--topk", "1", "--no-progress", pngs.toString());
        assertEquals(0, p.code(), p.err());
        Map<String, JsonObject> pillow = byImage(p.out());
        assertEquals(10, ours.size(), r.out());
        for (var e : ours.entrySet()) {
            String name = Path.of(e.getKey()).getFileName().toString();
            JsonObject a = top(e.getValue());
            JsonObject b = top(pillow.get(pngs.resolve(name + ".png").toString()));
            assertEquals(b.get("index").getAsInt(), a.get("index").getAsInt(), name + ": top-1");
            if (!name.contains("lossy")) {
                assertEquals(
                        b.get("probability").getAsDouble(), a.get("probability").getAsDouble(), 1e-5, name);
            }
        }
    }

    @Test
    void aFolderIsWalkedInSortedOrderAndItsOtherFilesAreCounted(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("b"));
        Files.copy(SAMPLES.resolve("00001_pullover.png"), dir.resolve("b/x.png"));
        Files.copy(SAMPLES.resolve("00000_ankle_boot.png"), dir.resolve("a.png"));
        Files.copy(FORMATS.resolve("cat-lossless.webp"), dir.resolve("c.WEBP"));
        Files.writeString(dir.resolve("notes.txt"), "not an image");
        Files.writeString(dir.resolve("b/labels.csv"), "neither");
        var r = PredictCliTest.run(
                "classify",
                "--json",
                "--topk",
                "1",
                dir.toString(),
                SAMPLES.resolve("00002_trouser.png").toString());
        assertEquals(0, r.code(), r.err());
        List<String> images = new ArrayList<>(byImage(r.out()).keySet());
        assertEquals(
                List.of(
                        dir.resolve("a.png").toString(),
                        dir.resolve("b/x.png").toString(),
                        dir.resolve("c.WEBP").toString(),
                        SAMPLES.resolve("00002_trouser.png").toString()),
                images);
        assertTrue(r.err().contains("skipped 2 files"), r.err());
        assertEquals(
                "Ankle boot",
                top(byImage(r.out()).get(dir.resolve("a.png").toString()))
                        .get("label")
                        .getAsString());
    }

    @Test
    void dashReadsOneImageFromStandardInput() throws Exception {
        InputStream saved = System.in;
        try {
            System.setIn(new ByteArrayInputStream(Files.readAllBytes(SAMPLES.resolve("00002_trouser.png"))));
            var r = PredictCliTest.run("classify", "--json", "--topk", "1", "-");
            assertEquals(0, r.code(), r.err());
            JsonObject o = byImage(r.out()).get("standard input");
            assertEquals("Trouser", top(o).get("label").getAsString());
            System.setIn(new ByteArrayInputStream(new byte[0]));
            r = PredictCliTest.run("classify", "-");
            assertEquals(2, r.code());
            assertTrue(r.err().contains("standard input: image is empty"), r.err());
            r = PredictCliTest.run("classify", "-", "-");
            assertEquals(2, r.code());
            assertTrue(r.err().contains("more than once"), r.err());
        } finally {
            System.setIn(saved);
        }
    }

    /** A batch gives what one image at a time gives; the short last batch is padded, not recompiled. */
    @Test
    void batchesGiveTheResultsOfSingleImages() throws Exception {
        var one = PredictCliTest.run("classify", "--json", "--topk", "3", SAMPLES.toString());
        var four = PredictCliTest.run("classify", "--json", "--topk", "3", "--batch", "4", SAMPLES.toString());
        assertEquals(0, one.code(), one.err());
        assertEquals(0, four.code(), four.err());
        Map<String, JsonObject> a = byImage(one.out()), b = byImage(four.out());
        assertTrue(a.size() > 4 && a.size() % 4 != 0, "a short last batch is exercised: " + a.size());
        assertEquals(a.keySet(), b.keySet());
        for (String k : a.keySet()) {
            assertEquals(1, a.get(k).get("batch").getAsInt());
            assertEquals(4, b.get(k).get("batch").getAsInt());
            for (int i = 0; i < 3; i++) {
                JsonObject x = a.get(k).getAsJsonArray("top").get(i).getAsJsonObject();
                JsonObject y = b.get(k).getAsJsonArray("top").get(i).getAsJsonObject();
                assertEquals(x.get("index").getAsInt(), y.get("index").getAsInt(), k);
                assertEquals(x.get("logit").getAsDouble(), y.get("logit").getAsDouble(), 1e-4, k);
            }
        }
    }

    @Test
    void anUnreadableImageIsReportedAndTheOthersClassified(@TempDir Path dir) throws Exception {
        Files.copy(SAMPLES.resolve("00000_ankle_boot.png"), dir.resolve("a.png"));
        Files.copy(Paths.get("tests/resources/images/truncated.jpg"), dir.resolve("b.jpg"));
        Files.copy(SAMPLES.resolve("00001_pullover.png"), dir.resolve("c.png"));
        var r = PredictCliTest.run("classify", "--json", "--batch", "2", dir.toString());
        assertEquals(2, r.code());
        Map<String, JsonObject> out = byImage(r.out());
        assertEquals(3, out.size(), r.out());
        assertTrue(
                out.get(dir.resolve("b.jpg").toString())
                        .get("error")
                        .getAsString()
                        .contains("truncated"),
                r.out());
        assertTrue(out.get(dir.resolve("c.png").toString()).has("top"), r.out());
        assertTrue(r.err().contains("1 of 3 images could not be read (the other 2 were classified)"), r.err());
    }

    @Test
    void badArgumentsFailInOneLine(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("empty"));
        Files.writeString(dir.resolve("empty/readme.txt"), "x");
        for (String[] args : List.of(
                new String[] {"classify", dir.resolve("missing.jpg").toString()},
                new String[] {"classify", dir.resolve("empty").toString()},
                new String[] {
                    "classify",
                    "--batch",
                    "0",
                    SAMPLES.resolve("00000_ankle_boot.png").toString()
                })) {
            var r = PredictCliTest.run(args);
            assertEquals(2, r.code(), String.join(" ", args));
            assertEquals(1, r.err().strip().split("\n").length, r.err());
        }
        var r = PredictCliTest.run("classify", dir.resolve("empty").toString());
        assertTrue(r.err().contains("no images in this folder") && r.err().contains("1 other files"), r.err());
    }

    private static Map<String, JsonObject> byImage(String jsonLines) {
        Map<String, JsonObject> out = new LinkedHashMap<>();
        for (String line : jsonLines.strip().split("\n")) {
            JsonObject o = JsonParser.parseString(line).getAsJsonObject();
            out.put(o.get("image").getAsString(), o);
        }
        return out;
    }

    private static JsonObject top(JsonObject result) {
        return result.getAsJsonArray("top").get(0).getAsJsonObject();
    }

    private static void writePng(byte[] rgb, int w, int h, Path file) throws Exception {
        BufferedImage bi = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0, o = 0; y < h; y++) {
            for (int x = 0; x < w; x++, o += 3) {
                bi.setRGB(x, y, (rgb[o] & 0xFF) << 16 | (rgb[o + 1] & 0xFF) << 8 | (rgb[o + 2] & 0xFF));
            }
        }
        ImageIO.write(bi, "png", file.toFile());
    }
}
