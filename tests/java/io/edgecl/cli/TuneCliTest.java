package io.edgecl.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgecl.TestSupport;
import io.edgecl.models.GoldenCase;
import io.edgecl.ops.Tuning;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TuneCliTest {
    @Test
    void tuneStoresAChoicePerShapeAndPlansUseIt(@TempDir Path dir) throws Exception {
        Path cfg = dir.resolve("case.json");
        Files.copy(GoldenCase.load("edgenext_tiny").dir().resolve("case.json"), cfg);
        var r = PredictCliTest.run("tune", "--model-config", cfg.toString(), "--size", "64", "--reps", "1");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("GEMM shapes") && r.out().contains("forward (device time"), r.out());
        Path file = Tuning.file(TestSupport.context().info());
        assertTrue(Files.isRegularFile(file), "tuning file " + file);
        String json = Files.readString(file);
        assertTrue(json.contains("\"gemm2:fp32:256x64x16\""), json);
        // a tuned plan still computes the reference outputs
        io.edgecl.models.GoldenModelsTest.check("edgenext_tiny", java.util.Set.of());
    }
}
