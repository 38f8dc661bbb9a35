package io.edgecl.spark;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.SparkSession;

/** One local[2] Spark for the module's tests (starting one takes seconds), and their images. */
final class SparkTests {
    private static SparkSession spark;

    private SparkTests() {}

    static synchronized SparkSession spark() {
        if (spark == null || spark.sparkContext().isStopped()) {
            spark = SparkSession.builder()
                    .master("local[2]")
                    .appName("edgecl-spark tests")
                    .config("spark.ui.enabled", "false")
                    .config("spark.sql.shuffle.partitions", "4")
                    .getOrCreate();
            spark.sparkContext().setLogLevel("WARN");
        }
        return spark;
    }

    /**
     * Skips the running test, saying why; with {@code EDGECL_STRICT=1} (CI sets it) it fails
     * instead, so a missing dataset cannot pass as green.
     */
    static void requirePath(Path p) {
        if (Files.exists(p)) return;
        String why = p + " is absent (tools/install-deps.sh dataset-fashion-mnist installs it)";
        if ("1".equals(System.getenv("EDGECL_STRICT"))) {
            org.junit.jupiter.api.Assertions.fail("not skipped in strict mode (EDGECL_STRICT=1): " + why);
        }
        System.err.println("SKIPPED: " + why);
        org.junit.jupiter.api.Assumptions.abort(why);
    }

    /** The core's tree, beside this module. */
    static Path core() {
        return Path.of("..").toAbsolutePath().normalize();
    }

    /** The demo's Fashion-MNIST samples (gray PNGs), a colour JPEG and a PNG with alpha, copied into {@code dir}. */
    static List<Path> images(Path dir) throws IOException {
        Path samples = core().resolve("src/main/resources/io/edgecl/demo/samples");
        try (var s = Files.list(samples)) {
            for (Path p : s.sorted().toList()) Files.copy(p, dir.resolve(p.getFileName()));
        }
        Path imgs = core().resolve("tests/resources/images");
        Files.copy(imgs.resolve("cat.jpg"), dir.resolve("cat.jpg"));
        Files.copy(imgs.resolve("coffee-alpha.png"), dir.resolve("coffee-alpha.png"));
        try (var s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }
}
