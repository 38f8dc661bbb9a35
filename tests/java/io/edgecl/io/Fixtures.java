package io.edgecl.io;

import java.nio.file.Files;
import java.nio.file.Path;

/** Locates ../shared fixtures; a missing one skips the test visibly. */
final class Fixtures {
    private Fixtures() {}

    static Path shared() {
        return Path.of(System.getProperty("edgecl.shared", "../shared"));
    }

    static Path golden() {
        return shared().resolve("golden");
    }

    /** Skips (and says so on stderr) unless {@code p} exists. */
    static Path require(Path p) {
        if (!Files.exists(p)) io.edgecl.TestSupport.skip("fixture " + p.toAbsolutePath() + " is missing");
        return p;
    }
}
