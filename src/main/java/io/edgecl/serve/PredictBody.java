package io.edgecl.serve;

import io.edgecl.EdgeClException;
import io.edgecl.io.SafeTensorsWriter;
import io.edgecl.io.WeightFile;
import io.edgecl.tensor.HostTensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The bodies of {@code POST /v1/predict}: a safetensors file holding {@code input} [N, 3, H, W]
 * in, a safetensors file holding {@code logits} out. The reader maps a file, so each body goes
 * through a private temporary file the server names itself and deletes before it returns.
 */
public final class PredictBody {
    private PredictBody() {}

    /** A body the server refuses, with the HTTP status it answers (400 or 413). */
    public static final class Refused extends EdgeClException {
        private final int status;

        Refused(int status, String message) {
            super(message);
            this.status = status;
        }

        public int status() {
            return status;
        }
    }

    /**
     * The {@code input} tensor of {@code body}, checked against what the server runs: 1 to
     * {@code maxBatch} images of 3 × {@code height} × {@code width}.
     *
     * @throws Refused for anything else, with a message that names what is wrong
     */
    public static HostTensor input(byte[] body, int maxBatch, int height, int width) {
        Path tmp = temporary();
        try {
            Files.write(tmp, body);
            HostTensor input;
            try (WeightFile f = WeightFile.open(tmp)) {
                if (!f.tensors().containsKey("input")) {
                    throw new Refused(
                            400,
                            "the safetensors body has no tensor 'input' (it has: "
                                    + String.join(", ", f.tensors().keySet()) + ")");
                }
                input = f.read("input");
            } catch (Refused e) {
                throw e;
            } catch (EdgeClException e) {
                throw new Refused(400, String.valueOf(e.getMessage()).replace(tmp.toString(), "the body"));
            }
            int[] s = input.shape();
            if (s.length != 4 || s[0] < 1) {
                throw new Refused(400, "'input' must be [N, 3, H, W] with N >= 1, got " + input.shapeString());
            }
            if (s[0] > maxBatch) {
                throw new Refused(413, "'input' holds " + s[0] + " images; at most --max-batch " + maxBatch);
            }
            if (s[1] != 3 || s[2] != height || s[3] != width) {
                throw new Refused(
                        400,
                        "'input' must be [N, 3, " + height + ", " + width + "] (the size this server runs), got "
                                + input.shapeString());
            }
            return input;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            delete(tmp);
        }
    }

    /** The answer's body: {@code logits} as a safetensors file, with the model's name in its metadata. */
    public static byte[] answer(HostTensor logits, String model) {
        Path tmp = temporary();
        try {
            Files.delete(tmp);
            SafeTensorsWriter.write(tmp, Map.of("logits", logits), Map.of("model", model));
            return Files.readAllBytes(tmp);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            delete(tmp);
        }
    }

    private static Path temporary() {
        try {
            return Files.createTempFile("edgecl-serve-", ".safetensors");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void delete(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
