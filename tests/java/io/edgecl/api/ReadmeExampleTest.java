package io.edgecl.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgecl.io.image.Preprocessor;
import io.edgecl.models.GoldenCase;
import io.edgecl.models.Models;
import io.edgecl.models.VisionModel;
import io.edgecl.tensor.HostTensor;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** README's Java example, taken from README.md as it stands, compiles and gives the same top-1 as the library. */
class ReadmeExampleTest {
    @Test
    void readmeJavaExampleCompilesAndRuns(@TempDir Path dir) throws Exception {
        String readme = Files.readString(Path.of("README.md"), StandardCharsets.UTF_8);
        Matcher m = Pattern.compile("```java\n(.*?)```", Pattern.DOTALL).matcher(readme);
        assertTrue(m.find(), "README has a java block");
        String source = m.group(1);
        Matcher cls = Pattern.compile("public class (\\w+)").matcher(source);
        assertTrue(cls.find(), "the example is a complete class");
        Path src = dir.resolve(cls.group(1) + ".java");
        Files.writeString(src, source);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        int rc = javac.run(
                null, null, null, "-d", dir.toString(), "-cp", System.getProperty("java.class.path"), src.toString());
        assertEquals(0, rc, "the README example compiles");

        Path weights = GoldenCase.load("edgenext_xx_small").dir().resolve("weights.safetensors");
        Path image = Path.of("tests", "resources", "images", "cat.jpg");
        String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        Process p = new ProcessBuilder(List.of(
                        java,
                        "-cp",
                        dir + File.pathSeparator + System.getProperty("java.class.path"),
                        cls.group(1),
                        weights.toString(),
                        image.toString()))
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "finishes");
        assertEquals(0, p.exitValue(), out);

        VisionModel model = Models.byName("edgenext_xx_small");
        try (Session s = Session.open(model, weights, SessionOptions.defaults())) {
            HostTensor logits =
                    s.run(new Preprocessor(model.preprocess()).load(image)).logits();
            Prediction best = Prediction.topk(logits, 1).get(0).get(0);
            String[] got = out.substring(out.lastIndexOf('\n') + 1).split(" ");
            assertEquals(best.index(), Integer.parseInt(got[0]), out);
            assertEquals(best.probability(), Double.parseDouble(got[1]), 1e-5, out);
        }
    }
}
