package io.edgecl.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonFieldsTest {
    private record Out(int code, String out, String err) {}

    private static Out run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int code = JsonFields.run(
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8),
                args);
        return new Out(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void printsOneLinePerPathInOrder(@TempDir Path dir) throws Exception {
        Path bench = Files.writeString(dir.resolve("bench.json"), """
                {"device": "Stand-in GPU", "wall_ms": {"medianMs": 1.5}, "device_ms": {"medianMs": NaN},
                 "images_per_s": 600.0, "input": [1, 3, 224, 224], "note": "two\\nlines"}
                """);
        Path selftest = Files.writeString(
                dir.resolve("selftest.json"),
                "{\"failures\": 0, \"checks\": [{\"status\": \"pass\"}, {\"status\": \"skip\"}]}");
        Out r = run(
                "-f",
                bench.toString(),
                "device",
                "wall_ms.medianMs",
                "device_ms.medianMs",
                "images_per_s",
                "missing",
                "wall_ms.missing.deeper",
                "input#",
                "note",
                "-f",
                selftest.toString(),
                "checks#",
                "failures",
                "device");
        assertEquals(0, r.code(), r.err());
        assertEquals(
                "Stand-in GPU\n1.5\nNaN\n600.0\n\n\n4\ntwo lines\n2\n0\n\n",
                r.out().replace("\r\n", "\n"));
    }

    @Test
    void anUnreadableFileGivesEmptyLinesAndExitOne(@TempDir Path dir) throws Exception {
        Path broken = Files.writeString(dir.resolve("broken.json"), "{\"device\": \"cut off");
        Path ok = Files.writeString(dir.resolve("ok.json"), "{\"a\": {\"b\": true}}");
        Out r = run(
                "-f",
                dir.resolve("absent.json").toString(),
                "device",
                "-f",
                broken.toString(),
                "device",
                "-f",
                ok.toString(),
                "a.b",
                "a");
        assertEquals(1, r.code(), r.err());
        assertEquals("\n\ntrue\n{\"b\":true}\n", r.out().replace("\r\n", "\n"));
    }

    @Test
    void wrongArgumentsExitTwo() {
        assertEquals(2, run().code());
        assertEquals(2, run("device").code());
        assertEquals(2, run("-f", "x.json", "a", "-f").code());
    }
}
