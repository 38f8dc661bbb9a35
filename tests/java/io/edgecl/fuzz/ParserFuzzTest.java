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
 * zips (and their pickles), model-config JSON, images and {@code edgecl serve}'s multipart and predict bodies. Each input must load or fail with
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

    /**
     * {@code edgecl serve}'s multipart parser: the input's first line is the boundary, the rest
     * the body. Parts found are bounded by the body; a malformed body is a typed refusal (400).
     */
    @FuzzTest(maxDuration = FUZZ_TIME)
    void multipart(byte[] data) {
        int nl = 0;
        while (nl < data.length && data[nl] != '\n') nl++;
        String boundary = new String(data, 0, nl, java.nio.charset.StandardCharsets.ISO_8859_1);
        byte[] body = java.util.Arrays.copyOfRange(data, Math.min(data.length, nl + 1), data.length);
        try {
            long bytes = 0;
            for (byte[] part : io.edgecl.serve.Multipart.parts(body, "multipart/form-data; boundary=" + boundary)) {
                bytes += part.length;
            }
            if (bytes > body.length) throw new AssertionError("parts hold more bytes than the body");
        } catch (EdgeClException expected) {
            // a typed, documented refusal
        }
    }

    /**
     * {@code POST /v1/predict}'s body, for a server running 8×8 images in batches of up to 4:
     * an input of that size, or a refusal the server answers 400 or 413. Any other exception, or
     * an input of another shape, is a finding.
     */
    @FuzzTest(maxDuration = FUZZ_TIME)
    void predictBody(byte[] data) {
        try {
            int[] s = io.edgecl.serve.PredictBody.input(data, 4, 8, 8).shape();
            if (s.length != 4 || s[0] < 1 || s[0] > 4 || s[1] != 3 || s[2] != 8 || s[3] != 8) {
                throw new AssertionError("accepted an input of shape " + java.util.Arrays.toString(s));
            }
        } catch (io.edgecl.serve.PredictBody.Refused expected) {
            if (expected.status() != 400 && expected.status() != 413) {
                throw new AssertionError("refused with status " + expected.status());
            }
        }
    }
}
