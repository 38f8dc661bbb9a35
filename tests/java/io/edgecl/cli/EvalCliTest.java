package io.edgecl.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgecl.TestSupport;
import io.edgecl.io.WeightFile;
import io.edgecl.tensor.HostTensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvalCliTest {
    static final Path FMNIST = Paths.get("/usr/share/datasets/fashion-mnist");
    static final Path SAMPLES = Paths.get("src/main/resources/io/edgecl/demo/samples");

    /** The Fashion-MNIST test set as an ImageFolder tree under {@code dir} (skipped when the dataset is absent). */
    static Path fashionMnistFolder(Path dir) throws Exception {
        TestSupport.requirePath(FMNIST.resolve("t10k-images-idx3-ubyte.gz"));
        Path folder = dir.resolve("fmnist");
        String javaBin =
                Paths.get(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(javaBin, "tools/FashionMnistToImageFolder.java", folder.toString())
                .redirectErrorStream(true)
                .start();
        assertTrue(p.waitFor(300, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), new String(p.getInputStream().readAllBytes()));
        return folder;
    }

    /**
     * The demo model on the whole Fashion-MNIST test set: top-1 and every prediction as the
     * upstream's (a prediction may differ only where the reference's top two logits are within 1e-4).
     */
    @Test
    void demoModelReproducesTheReferenceOnFashionMnist(@TempDir Path dir) throws Exception {
        Path folder = fashionMnistFolder(dir);
        Path csv = dir.resolve("preds.csv");
        var r = PredictCliTest.run(
                "eval",
                "--data",
                folder.toString(),
                "--batch",
                "200",
                "--no-progress",
                "--save-predictions",
                csv.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("top-1 0.8941  (8941/10000)"), r.out());

        Map<String, HostTensor> ref;
        try (WeightFile f = WeightFile.open(Paths.get("tests/resources/demo/reference.safetensors"))) {
            ref = f.readAll();
        }
        float[] refPred = ref.get("predictions").data(),
                refLogits = ref.get("logits").data();
        List<String> rows = Files.readAllLines(csv);
        assertEquals(10001, rows.size());
        int differ = 0;
        for (String row : rows.subList(1, rows.size())) {
            String[] c = row.split(",");
            String name = Paths.get(c[0]).getFileName().toString();
            int index = Integer.parseInt(name.substring(0, 5));
            int pred = Integer.parseInt(c[2]);
            if (pred != (int) refPred[index]) {
                float[] l = java.util.Arrays.copyOfRange(refLogits, index * 10, index * 10 + 10);
                java.util.Arrays.sort(l);
                assertTrue(
                        l[9] - l[8] <= 1e-4,
                        "image " + index + ": predicted " + pred + ", reference " + (int) refPred[index]
                                + " with a clear margin " + (l[9] - l[8]));
                differ++;
            }
        }
        System.err.println("demo eval: " + differ + " predictions differ from the reference (all near-ties)");
    }

    /** In fp16 storage the demo model's top-1 on the whole test set stays within 0.2 points of fp32's 0.8941. */
    @Test
    void demoModelInFp16StorageKeepsItsAccuracy(@TempDir Path dir) throws Exception {
        Path folder = fashionMnistFolder(dir);
        var r = PredictCliTest.run(
                "eval",
                "--data",
                folder.toString(),
                "--batch",
                "200",
                "--no-progress",
                "--json",
                "--precision",
                "fp16-storage");
        assertEquals(0, r.code(), r.err());
        double top1 = com.google.gson.JsonParser.parseString(r.out())
                .getAsJsonObject()
                .get("top1")
                .getAsDouble();
        System.err.println("demo eval fp16-storage: top-1 " + top1);
        assertTrue(Math.abs(top1 - 0.8941) <= 0.002, "fp16-storage top-1 " + top1 + " vs fp32 0.8941");
    }

    @Test
    void unreadableImagesAreReportedAndSkipped(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("data");
        Files.createDirectories(data.resolve("9_Ankle_boot"));
        Files.createDirectories(data.resolve("8_Bag"));
        Files.copy(SAMPLES.resolve("00000_ankle_boot.png"), data.resolve("9_Ankle_boot/a.png"));
        Files.copy(SAMPLES.resolve("00018_bag.png"), data.resolve("8_Bag/b.png"));
        Files.write(data.resolve("8_Bag/broken.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3});
        var r = PredictCliTest.run(
                "eval",
                "--data",
                data.toString(),
                "--labels-file",
                dir.resolve("none").toString());
        assertEquals(2, r.code(), "labels file that does not exist");
        // class folders sorted: 8_Bag = 0, 9_Ankle_boot = 1; map them through a labels file instead
        Path lf = dir.resolve("labels.txt");
        Files.writeString(lf, "9_Ankle_boot/a.png\tAnkle boot\n8_Bag/b.png 8\n8_Bag/broken.png Bag\n");
        r = PredictCliTest.run(
                "eval", "--data", data.toString(), "--labels-file", lf.toString(), "--no-progress", "--json");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("\"errors\": 1") && r.out().contains("broken.png"), r.out());
        assertTrue(r.out().contains("\"top1\": 1.0"), r.out());
    }

    @Test
    void emptyFolderIsAnError(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("empty/classA"));
        var r = PredictCliTest.run("eval", "--data", dir.resolve("empty").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("holds no images"), r.err());
        r = PredictCliTest.run("eval", "--data", dir.resolve("missing").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("does not exist"), r.err());
    }

    @Test
    void classifyDemoSampleAndBadImage() {
        var r = PredictCliTest.run(
                "classify", SAMPLES.resolve("00000_ankle_boot.png").toString(), "--topk", "3");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("1.") && r.out().contains("Ankle boot (9)"), r.out());
        assertTrue(r.out().lines().skip(1).findFirst().orElse("").contains("Ankle boot (9)"), "top-1: " + r.out());
        r = PredictCliTest.run("classify", "tests/resources/images/truncated.jpg");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("truncated.jpg"), r.err());
        assertEquals(1, r.err().strip().split("\n").length, "one line: " + r.err());
    }

    @Test
    void classifyJpegWithAnImageNetModelPrintsTopFiveWithLabels() {
        java.nio.file.Path w = TestSupport.golden("edgenext_xx_small").resolve("weights.safetensors");
        var r = PredictCliTest.run(
                "classify", "-m", "edgenext_xx_small", "-w", w.toString(), "tests/resources/images/cat.jpg");
        assertEquals(0, r.code(), r.err());
        List<String> lines = r.out().lines().toList();
        assertEquals(6, lines.size(), r.out());
        assertTrue(lines.get(0).contains("cat.jpg") && lines.get(0).contains(" ms)"), lines.get(0));
        for (int i = 1; i <= 5; i++) {
            assertTrue(lines.get(i).matches("\\s+" + i + "\\.\\s+\\d+\\.\\d\\d%  \\S.* \\(\\d+\\)"), lines.get(i));
        }
        // the ImageNet-1k label of the top class, as timm's class list names it
        int top = Integer.parseInt(lines.get(1).replaceAll(".*\\((\\d+)\\)$", "$1"));
        assertTrue(lines.get(1).contains(io.edgecl.io.image.Labels.imagenet1k().name(top)), lines.get(1));
    }
}
