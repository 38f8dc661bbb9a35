package io.edgecl.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code edgecl-spark eval} against {@code edgecl eval} on the same folders. */
class SparkEvalTest {
    record Run(int code, String out, String err) {}

    static Run core(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        CommandLine cl = io.edgecl.cli.Main.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    /** `edgecl-spark` in this JVM, on the tests' Spark (which it leaves running). */
    static Run spark(String... args) throws Exception {
        SparkTests.spark();
        java.io.PrintStream o = System.out, e = System.err;
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(),
                err = new java.io.ByteArrayOutputStream();
        int code;
        try {
            System.setOut(new java.io.PrintStream(out, true, "UTF-8"));
            System.setErr(new java.io.PrintStream(err, true, "UTF-8"));
            code = Main.run(args);
        } finally {
            System.setOut(o);
            System.setErr(e);
        }
        return new Run(code, out.toString("UTF-8"), err.toString("UTF-8"));
    }

    /** Both reports agree: images, errors, top-1, top-5 and every class's count and top-1. */
    static void assertSameReport(JsonObject want, JsonObject got) {
        for (String k : new String[] {"model", "images", "errors", "top1", "top5"}) {
            assertEquals(want.get(k), got.get(k), k);
        }
        JsonArray a = want.getAsJsonArray("per_class"), b = got.getAsJsonArray("per_class");
        assertEquals(a.size(), b.size());
        for (int i = 0; i < a.size(); i++) {
            for (String k : new String[] {"class", "label", "images", "top1"}) {
                assertEquals(
                        a.get(i).getAsJsonObject().get(k),
                        b.get(i).getAsJsonObject().get(k),
                        "class " + i + " " + k);
            }
        }
    }

    /** The demo model on the Fashion-MNIST test set: top-1 0.8941, as `edgecl eval` reports it. */
    @Test
    void demoOnFashionMnistGivesEdgeclEvalsReport(@TempDir Path dir) throws Exception {
        Path gz = Path.of("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz");
        SparkTests.requirePath(gz);
        Path folder = dir.resolve("fmnist");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(
                        java,
                        SparkTests.core()
                                .resolve("tools/FashionMnistToImageFolder.java")
                                .toString(),
                        folder.toString())
                .redirectErrorStream(true)
                .start();
        String log = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(300, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), log);

        Run want = core("eval", "--data", folder.toString(), "--json", "--no-progress");
        assertEquals(0, want.code(), want.err());
        io.edgecl.cli.EvalReport r = SparkEval.run(SparkTests.spark(), new EdgeClClassifier(), folder.toString(), 0);
        assertEquals(10_000, r.images());
        assertEquals(8941, r.top1(), "top-1 0.8941");
        Run got = spark("eval", "--master", "local[2]", "--data", folder.toString(), "--json");
        assertEquals(0, got.code(), got.err());
        assertSameReport(
                JsonParser.parseString(want.out()).getAsJsonObject(),
                JsonParser.parseString(got.out()).getAsJsonObject());
    }

    /** A folder with a broken file: both name it, count the rest the same, and exit 0. */
    @Test
    void aBrokenFileIsReportedAndCountedAsEdgeclEvalDoes(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("data");
        Path samples = SparkTests.core().resolve("src/main/resources/io/edgecl/demo/samples");
        try (var s = Files.list(samples)) {
            for (Path f : s.sorted().toList()) {
                // "00018_bag.png" goes to the folder "bag"
                String name = f.getFileName().toString();
                Path cls = data.resolve(name.substring(6, name.length() - 4));
                Files.createDirectories(cls);
                Files.copy(f, cls.resolve(name));
            }
        }
        Files.copy(
                SparkTests.core().resolve("tests/resources/images/not-an-image.png"),
                data.resolve("bag").resolve("broken.png"));
        Run want = core("eval", "--data", data.toString(), "--json", "--no-progress");
        assertEquals(0, want.code(), want.err());
        Run got = spark("eval", "--master", "local[2]", "--data", data.toString(), "--json", "--batch", "2");
        assertEquals(0, got.code(), got.err());
        JsonObject w = JsonParser.parseString(want.out()).getAsJsonObject();
        JsonObject g = JsonParser.parseString(got.out()).getAsJsonObject();
        assertSameReport(w, g);
        assertEquals(1, g.get("errors").getAsInt());
        assertTrue(g.getAsJsonArray("error_files").get(0).getAsString().contains("broken.png"), got.out());
    }

    @Test
    void badArgumentsGiveOneLineAndExitCode2(@TempDir Path dir) throws Exception {
        Run r = spark(
                "eval", "--master", "local[1]", "--data", dir.resolve("nowhere").toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("edgecl-spark: error: data folder"), r.err());
        assertTrue(r.err().contains("does not exist"), r.err());
        java.nio.file.Files.createDirectories(dir.resolve("empty").resolve("a"));
        r = spark("eval", "--master", "local[1]", "--data", dir.resolve("empty").toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("no image of"), r.err());
        r = spark("eval", "--data", dir.toString(), "--batch", "0");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("--batch must be positive"), r.err());
    }
}
