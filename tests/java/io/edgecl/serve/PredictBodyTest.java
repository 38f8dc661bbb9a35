package io.edgecl.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgecl.io.WeightFile;
import io.edgecl.tensor.HostTensor;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** POST /v1/predict's body in and out, on the fuzz seeds; no temporary file is left either way. */
class PredictBodyTest {
    private static final Path SEEDS = Path.of("tests/resources/io/edgecl/fuzz/ParserFuzzTestInputs/predictBody");

    private static byte[] seed(String name) throws IOException {
        return Files.readAllBytes(SEEDS.resolve(name));
    }

    private static int temporaryFiles() throws IOException {
        int n = 0;
        try (DirectoryStream<Path> d =
                Files.newDirectoryStream(Path.of(System.getProperty("java.io.tmpdir")), "edgecl-serve-*")) {
            for (Path ignored : d) n++;
        }
        return n;
    }

    @Test
    void acceptsTheServersSizeAndRefusesTheRestWithTheirStatus() throws IOException {
        int before = temporaryFiles();
        HostTensor one = PredictBody.input(seed("seed-one-image"), 4, 8, 8);
        assertArrayEquals(new int[] {1, 3, 8, 8}, one.shape());
        assertEquals(0.01f * 191, one.data()[191], 1e-6f);
        assertArrayEquals(
                new int[] {2, 3, 8, 8},
                PredictBody.input(seed("seed-two-images-f16"), 4, 8, 8).shape());
        assertEquals(
                1.0f, PredictBody.input(seed("seed-two-images-f16"), 4, 8, 8).data()[383]);

        var tooMany = assertThrows(PredictBody.Refused.class, () -> PredictBody.input(seed("seed-too-many"), 4, 1, 1));
        assertEquals(413, tooMany.status());
        var wrong = assertThrows(PredictBody.Refused.class, () -> PredictBody.input(seed("seed-wrong-size"), 4, 8, 8));
        assertEquals(400, wrong.status());
        assertTrue(wrong.getMessage().contains("[N, 3, 8, 8]"), wrong.getMessage());
        var empty = assertThrows(PredictBody.Refused.class, () -> PredictBody.input(seed("seed-no-images"), 4, 8, 8));
        assertTrue(empty.getMessage().contains("N >= 1"), empty.getMessage());
        var none = assertThrows(PredictBody.Refused.class, () -> PredictBody.input(seed("seed-no-input"), 4, 8, 8));
        assertTrue(none.getMessage().contains("no tensor 'input' (it has: x)"), none.getMessage());
        var cut = assertThrows(PredictBody.Refused.class, () -> PredictBody.input(new byte[] {1, 2, 3}, 4, 8, 8));
        assertEquals(400, cut.status());
        assertTrue(
                !cut.getMessage().contains("edgecl-serve-"),
                "the message names the body, not the temporary file: " + cut.getMessage());
        assertEquals(before, temporaryFiles(), "temporary files left behind");
    }

    @Test
    void theAnswerIsASafetensorsFileWithTheLogits() throws IOException {
        HostTensor logits = new HostTensor(new int[] {2, 3}, new float[] {1, 2, 3, 4, 5, 6});
        Path p = Files.createTempFile("predict-answer", ".safetensors");
        try {
            Files.write(p, PredictBody.answer(logits, "demo"));
            try (WeightFile f = WeightFile.open(p)) {
                assertArrayEquals(logits.data(), f.read("logits").data());
                assertEquals(Map.of("model", "demo"), f.metadata());
            }
        } finally {
            Files.delete(p);
        }
    }
}
