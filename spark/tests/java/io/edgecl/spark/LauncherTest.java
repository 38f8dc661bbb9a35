package io.edgecl.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code spark/edgecl-spark} with a cluster's master prints the spark-submit line that runs the
 * same job, without building when its jars are newer than the sources. It runs here on a copy of
 * the script beside stand-in jars, so no build and no Spark start.
 */
class LauncherTest {
    @Test
    void aClusterMasterGetsTheSparkSubmitLine(@TempDir Path root) throws Exception {
        Path here = Files.createDirectories(root.resolve("spark"));
        Path script = here.resolve("edgecl-spark");
        Files.copy(Path.of("edgecl-spark"), script);
        script.toFile().setExecutable(true);
        Files.copy(Path.of("pom.xml"), here.resolve("pom.xml"));
        // the launcher sources the core's signal-chaining snippet
        Files.copy(
                Path.of("../tools/signal-chaining.sh"),
                Files.createDirectories(root.resolve("tools")).resolve("signal-chaining.sh"));
        Path target = Files.createDirectories(here.resolve("target"));
        // the jars are written after the sources, so the launcher finds them up to date
        Thread.sleep(1100);
        for (String f : List.of("edgecl-spark-0.1.0.jar", "edgecl-spark-0.1.0-job.jar", "classpath.txt")) {
            Files.writeString(target.resolve(f), "");
        }
        Process p = new ProcessBuilder(
                        script.toString(),
                        "eval",
                        "--master",
                        "spark://head:7077",
                        "--data",
                        "hdfs:///data/val",
                        "-m",
                        "edgenext_xx_small",
                        "--label note")
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        assertTrue(!out.contains("building"), "nothing to build: " + out);
        String line = out.lines()
                .filter(l -> l.startsWith("spark-submit"))
                .findFirst()
                .orElse("");
        assertEquals(
                "spark-submit --master spark://head:7077 --class io.edgecl.spark.Main "
                        + target.resolve("edgecl-spark-0.1.0-job.jar").toRealPath()
                        + " eval --data hdfs:///data/val -m edgenext_xx_small --label\\ note",
                line,
                out);
    }
}
