package io.edgecl.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgecl.api.ModelSource;
import io.edgecl.api.Prediction;
import io.edgecl.api.Session;
import io.edgecl.api.SessionOptions;
import io.edgecl.io.image.Preprocessor;
import io.edgecl.models.VisionModel;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** README's Spark example, taken from README.md as it stands, compiles, runs on local[2] and gives classify's top-1. */
class ReadmeSparkExampleTest {
    @Test
    void readmeSparkExampleCompilesAndRuns(@TempDir Path dir) throws Exception {
        String readme = Files.readString(SparkTests.core().resolve("README.md"), StandardCharsets.UTF_8);
        Matcher m = Pattern.compile("```java\n(.*?)```", Pattern.DOTALL).matcher(readme);
        String source = null;
        while (m.find()) {
            if (m.group(1).contains("EdgeClClassifier")) source = m.group(1);
        }
        assertTrue(source != null, "README has a java block with EdgeClClassifier");
        Matcher cls = Pattern.compile("public class (\\w+)").matcher(source);
        assertTrue(cls.find(), "the example is a complete class");
        Path classes = Files.createDirectories(dir.resolve("classes"));
        Path src = classes.resolve(cls.group(1) + ".java");
        Files.writeString(src, source);
        int rc = ToolProvider.getSystemJavaCompiler()
                .run(
                        null,
                        null,
                        null,
                        "-d",
                        classes.toString(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        src.toString());
        assertEquals(0, rc, "the README example compiles");

        Path images = Files.createDirectories(dir.resolve("images"));
        List<Path> files = SparkTests.images(images);
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String o : System.getProperty("spark.jvm.opens", "").split(" ")) if (!o.isBlank()) cmd.add(o);
        cmd.add("-Dedgecl.cache.dir=" + System.getProperty("edgecl.cache.dir"));
        cmd.add("-Dlog4j2.configurationFile="
                + Path.of("conf/log4j2.properties").toAbsolutePath());
        cmd.add("-cp");
        cmd.add(classes + File.pathSeparator + System.getProperty("java.class.path"));
        cmd.add(cls.group(1));
        cmd.add(images.toString());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(180, TimeUnit.SECONDS), "finishes");
        assertEquals(0, p.exitValue(), out);

        ModelSource demo = ModelSource.of(null, null, null);
        VisionModel model = demo.modelOrDemo();
        Preprocessor pre = new Preprocessor(model.preprocess());
        int seen = 0;
        try (Session s = Session.open(model, demo.weightsOrDemo(), SessionOptions.defaults())) {
            for (Path f : files) {
                Prediction best = s.run(pre.load(f)).topk(1).get(0).get(0);
                // the example prints "PATH  LABEL  TOP-K" per row
                String name = "/" + f.getFileName() + "  ";
                for (String line : out.split("\n")) {
                    if (line.contains(name)) {
                        seen++;
                        assertTrue(line.contains(name + model.labels().get(best.index()) + "  "), line);
                    }
                }
            }
        }
        assertEquals(files.size(), seen, out);
    }
}
