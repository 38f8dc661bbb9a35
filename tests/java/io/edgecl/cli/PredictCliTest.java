package io.edgecl.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgecl.TestSupport;
import io.edgecl.io.SafeTensorsWriter;
import io.edgecl.io.WeightFile;
import io.edgecl.models.GoldenCase;
import io.edgecl.tensor.HostTensor;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PredictCliTest {
    record Result(int code, String out, String err) {}

    static Result run(String... args) {
        var cl = Main.commandLine();
        StringWriter out = new StringWriter(), err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new Result(code, out.toString(), err.toString());
    }

    @Test
    void predictWritesLogitsAndFeaturesMatchingTheReference(@TempDir Path dir) throws Exception {
        GoldenCase gc = GoldenCase.load("edgenext_tiny");
        Path config = dir.resolve("case.json");
        Files.copy(gc.dir().resolve("case.json"), config);
        Path out = dir.resolve("out.safetensors");
        Result r = run(
                "predict",
                "--model-config",
                config.toString(),
                "-w",
                gc.weights().toString(),
                "--tensors",
                gc.dir().resolve("io.safetensors").toString(),
                "--out",
                out.toString(),
                "--features");
        assertEquals(0, r.code(), r.err());
        Map<String, HostTensor> ref = gc.io();
        try (WeightFile f = WeightFile.open(out)) {
            for (String k : new String[] {"logits", "features.0", "features.1", "features.2", "features.3"}) {
                assertTrue(f.tensors().containsKey(k), k);
                TestSupport.assertClose(ref.get(k).data(), f.read(k).data(), k);
            }
        }
    }

    @Test
    void badInputsGetOneLineAndExitCode2(@TempDir Path dir) throws Exception {
        GoldenCase gc = GoldenCase.load("edgenext_tiny");
        Path config = dir.resolve("case.json");
        Files.copy(gc.dir().resolve("case.json"), config);
        String w = gc.weights().toString();

        // an input size the architecture cannot take
        Path small = dir.resolve("small.safetensors");
        SafeTensorsWriter.write(small, Map.of("input", HostTensor.zeros(1, 3, 16, 16)));
        Result r = run(
                "predict",
                "--model-config",
                config.toString(),
                "-w",
                w,
                "--tensors",
                small.toString(),
                "--out",
                dir.resolve("o.safetensors").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("too small"), r.err());

        // wrong channel count
        Path gray = dir.resolve("gray.safetensors");
        SafeTensorsWriter.write(gray, Map.of("input", HostTensor.zeros(1, 1, 64, 64)));
        r = run(
                "predict",
                "--model-config",
                config.toString(),
                "-w",
                w,
                "--tensors",
                gray.toString(),
                "--out",
                dir.resolve("o.safetensors").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("3-channel"), r.err());

        // weights of another model: the spec field is named
        r = run(
                "predict",
                "-m",
                "edgenext_xx_small",
                "-w",
                w,
                "--tensors",
                gc.dir().resolve("io.safetensors").toString(),
                "--out",
                dir.resolve("o.safetensors").toString());
        assertEquals(2, r.code());
        assertTrue(
                r.err().contains("stem.0.weight") && r.err().contains("dims: the file has [16, 32, 48, 64]"), r.err());

        // missing input tensor
        Path none = dir.resolve("none.safetensors");
        SafeTensorsWriter.write(none, Map.of("x", HostTensor.zeros(1, 3, 64, 64)));
        r = run(
                "predict",
                "--model-config",
                config.toString(),
                "-w",
                w,
                "--tensors",
                none.toString(),
                "--out",
                dir.resolve("o.safetensors").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("no tensor 'input'"), r.err());

        // unknown model name and unknown config argument
        r = run("predict", "-m", "edgenext_huge", "-w", w, "--tensors", none.toString(), "--out", "x");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("unknown model 'edgenext_huge'"), r.err());
        Path badCfg = dir.resolve("bad.json");
        Files.writeString(badCfg, "{\"family\": \"edgenext\", \"dimz\": [1,2,3,4]}");
        r = run("predict", "--model-config", badCfg.toString(), "-w", w, "--tensors", none.toString(), "--out", "x");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("unknown argument 'dimz'"), r.err());
        for (Result x : new Result[] {r}) assertTrue(!x.err().contains("\tat "), "no stack trace");
    }
}
