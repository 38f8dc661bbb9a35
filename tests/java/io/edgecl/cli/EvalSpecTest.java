package io.edgecl.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.edgecl.TestSupport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Evaluating a model the way its trainer does: the demo's own spec and weights on an ImageFolder
 * of the Fashion-MNIST test set. A spec that carries its preprocessing and labels needs no flag;
 * a plain one takes class names from the folder; images far smaller than the input get a warning;
 * {@code --limit} samples every class.
 */
class EvalSpecTest {
    @TempDir
    static Path dir;

    static Path folder;
    static Path weights;
    static JsonObject demoSpec;

    @BeforeAll
    static void fashionMnistFolder() throws Exception {
        TestSupport.requirePath(EvalCliTest.FMNIST.resolve("t10k-images-idx3-ubyte.gz"));
        Path demo = TestSupport.shared().resolve("demo/edgenext_fmnist");
        TestSupport.requirePath(demo.resolve("weights.safetensors"));
        weights = demo.resolve("weights.safetensors");
        demoSpec = JsonParser.parseString(Files.readString(demo.resolve("case.json")))
                .getAsJsonObject();
        folder = dir.resolve("fmnist");
        String javaBin =
                Paths.get(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(javaBin, "tools/FashionMnistToImageFolder.java", folder.toString())
                .redirectErrorStream(true)
                .start();
        assertTrue(p.waitFor(300, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), new String(p.getInputStream().readAllBytes()));
    }

    /** The spec as a user who trained the model writes it: architecture, then preprocessing and labels. */
    private static Path spec(String name, boolean withData) throws Exception {
        JsonObject s = demoSpec.getAsJsonObject("spec").deepCopy();
        if (withData) {
            s.addProperty("input_size", 32);
            s.addProperty("crop_pct", 1.0);
            s.add("labels", demoSpec.get("labels"));
        }
        Path f = dir.resolve(name);
        Files.writeString(f, s.toString());
        return f;
    }

    @Test
    void specWithItsPreprocessingAndLabelsNeedsNoFlag() throws Exception {
        var r = PredictCliTest.run(
                "eval",
                "--model-config",
                spec("full.json", true).toString(),
                "-w",
                weights.toString(),
                "--data",
                folder.toString(),
                "--batch",
                "200",
                "--no-progress");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("top-1 0.8941  (8941/10000)"), r.out());
        assertFalse(r.err().contains("warning"), r.err());
    }

    @Test
    void plainSpecTakesClassNamesFromTheFolder() throws Exception {
        var r = PredictCliTest.run(
                "eval",
                "--model-config",
                spec("plain.json", false).toString(),
                "-w",
                weights.toString(),
                "--data",
                folder.toString(),
                "--size",
                "32",
                "--crop-pct",
                "1.0",
                "--batch",
                "200",
                "--no-progress",
                "--json");
        assertEquals(0, r.code(), r.err());
        JsonObject j = JsonParser.parseString(r.out()).getAsJsonObject();
        assertEquals(8941, Math.round(j.get("top1").getAsDouble() * 10000));
        JsonObject first = j.getAsJsonArray("per_class").get(0).getAsJsonObject();
        assertEquals("0_T-shirt_top", first.get("label").getAsString(), "named after the folder");
    }

    @Test
    void tinyImagesAtTheFamilyDefaultSizeGetOneWarningAndLimitSamplesEveryClass() throws Exception {
        var r = PredictCliTest.run(
                "eval",
                "--model-config",
                spec("plain2.json", false).toString(),
                "-w",
                weights.toString(),
                "--data",
                folder.toString(),
                "--limit",
                "50",
                "--batch",
                "25",
                "--no-progress",
                "--json");
        assertEquals(0, r.code(), r.err());
        assertEquals(1, r.err().split("warning: the images are 32x32", -1).length - 1, r.err());
        assertTrue(r.err().contains("--size 32 --crop-pct 1.0"), r.err());
        JsonObject j = JsonParser.parseString(r.out()).getAsJsonObject();
        assertEquals(50, j.get("images").getAsInt());
        for (JsonElement c : j.getAsJsonArray("per_class")) {
            assertEquals(5, c.getAsJsonObject().get("images").getAsInt(), "an even sample over the classes: " + c);
        }
    }
}
