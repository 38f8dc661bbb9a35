package io.edgecl.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.edgecl.EdgeClException;
import io.edgecl.io.WeightFile;
import io.edgecl.io.image.ImageDecoder;
import io.edgecl.models.ModelBudget;
import io.edgecl.models.Models;
import io.edgecl.models.VisionModel;
import io.edgecl.models.Weights;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Coverage-guided fuzz targets for everything EdgeCL reads from users: safetensors, torch.save
 * zips (and their pickles), model-config JSON and images. Each input must load or fail with
 * EdgeCL's typed, documented exception ({@link EdgeClException}); anything else is a finding.
 *
 * <p>{@code mvn test} replays the corpus in {@code tests/resources/io/edgecl/fuzz/ParserFuzzTestInputs}
 * (seeds and every past finding); {@code tools/fuzz.sh TARGET MINUTES} fuzzes one target.
 */
class ParserFuzzTest {
    /** How long `tools/fuzz.sh` fuzzes each target (regression runs in `mvn test` ignore it). */
    static final String FUZZ_TIME = "11m";

    private static final Path SCRATCH;

    static {
        try {
            Path shm = Path.of("/dev/shm");
            SCRATCH = Files.createTempDirectory(
                    Files.isDirectory(shm) && Files.isWritable(shm)
                            ? shm
                            : Path.of(System.getProperty("java.io.tmpdir")),
                    "edgecl-fuzz");
            SCRATCH.toFile().deleteOnExit();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path file(String name, byte[] data) {
        Path p = SCRATCH.resolve(name + "-" + Thread.currentThread().getId());
        try {
            Files.write(p, data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }

    @FuzzTest(maxDuration = FUZZ_TIME)
    void safetensors(byte[] data) {
        Path p = file("w.safetensors", data);
        try {
            WeightFile.readParameters(p);
        } catch (EdgeClException expected) {
            // a typed, documented refusal
        }
    }

    @FuzzTest(maxDuration = FUZZ_TIME)
    void torchCheckpoint(byte[] data) {
        Path p = file("w.pth", data);
        try {
            WeightFile.readParameters(p);
        } catch (EdgeClException expected) {
            // a typed, documented refusal
        }
    }

    @FuzzTest(maxDuration = FUZZ_TIME)
    void modelConfig(byte[] data) {
        Path p = file("spec.json", data);
        try {
            VisionModel m = Models.fromFile(p);
            // Build the smallest input it takes, within a small budget so a huge spec is refused, not built.
            ModelBudget.withMaxParams(2_000_000, () -> {
                int s = Math.max(32, Math.min(64, m.preprocess().size()));
                m.checkInput(3, s, s);
                m.build(Weights.synthetic(null), 1, s, s);
            });
        } catch (EdgeClException expected) {
            // a typed, documented refusal
        }
    }

    @FuzzTest(maxDuration = FUZZ_TIME)
    void image(byte[] data) {
        Path p = file("img", data);
        try {
            ImageDecoder.decode(p);
        } catch (EdgeClException expected) {
            // a typed, documented refusal
        }
    }
}
