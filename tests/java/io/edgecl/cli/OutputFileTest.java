package io.edgecl.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgecl.models.GoldenCase;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code predict --out} never replaces a file unasked, never one of its inputs, and writes with the user's umask. */
class OutputFileTest {
    @Test
    void outRefusesExistingFilesAndInputs(@TempDir Path dir) throws Exception {
        GoldenCase gc = GoldenCase.load("edgenext_tiny");
        Path config = dir.resolve("case.json");
        Files.copy(gc.dir().resolve("case.json"), config);
        Path tensors = dir.resolve("io.safetensors");
        Files.copy(gc.dir().resolve("io.safetensors"), tensors);
        String w = gc.weights().toString();
        byte[] original = Files.readAllBytes(tensors);

        Path out = dir.resolve("out.safetensors");
        Files.writeString(out, "a user's file");
        var r = PredictCliTest.run(
                "predict",
                "--model-config",
                config.toString(),
                "-w",
                w,
                "--tensors",
                tensors.toString(),
                "--out",
                out.toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("already exists") && r.err().contains("--force"), r.err());
        assertEquals("a user's file", Files.readString(out), "left alone");

        for (String force : new String[] {null, "--force"}) {
            var args = new java.util.ArrayList<>(java.util.List.of(
                    "predict",
                    "--model-config",
                    config.toString(),
                    "-w",
                    w,
                    "--tensors",
                    tensors.toString(),
                    "--out",
                    dir.resolve(".").resolve("io.safetensors").toString()));
            if (force != null) args.add(force);
            r = PredictCliTest.run(args.toArray(String[]::new));
            assertEquals(2, r.code(), r.err());
            assertTrue(r.err().contains("is also an input"), r.err());
            assertArrayEquals(original, Files.readAllBytes(tensors), "the input is untouched");
        }
        r = PredictCliTest.run(
                "predict",
                "--model-config",
                config.toString(),
                "-w",
                w,
                "--tensors",
                tensors.toString(),
                "--out",
                w,
                "--force");
        assertEquals(2, r.code(), "the weights are an input too");

        r = PredictCliTest.run(
                "predict",
                "--model-config",
                config.toString(),
                "-w",
                w,
                "--tensors",
                tensors.toString(),
                "--out",
                out.toString(),
                "--force");
        assertEquals(0, r.code(), r.err());
        assertTrue(Files.size(out) > 100, "replaced with --force");
        // The same permissions a plain new file of this process gets (its umask), not 0600.
        Path plain = dir.resolve("plain");
        try (OutputStream o = Files.newOutputStream(plain)) {
            o.write(1);
        }
        Set<PosixFilePermission> want = Files.getPosixFilePermissions(plain);
        assertEquals(want, Files.getPosixFilePermissions(out));
        try (var files = Files.list(dir)) {
            assertTrue(files.noneMatch(f -> f.getFileName().toString().endsWith(".tmp")), "no temporary file left");
        }
    }
}
