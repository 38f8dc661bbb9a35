package io.edgecl.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.edgecl.EdgeClException;
import io.edgecl.io.SafeTensorsWriter;
import io.edgecl.tensor.HostTensor;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class InspectCommandTest {
    @TempDir
    Path dir;

    private String run(String... args) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        CommandLine cl = new CommandLine(new InspectCommand(new PrintStream(buf, true, StandardCharsets.UTF_8)));
        cl.setExecutionExceptionHandler((ex, c, p) -> {
            throw ex;
        });
        assertEquals(0, cl.execute(args));
        return buf.toString(StandardCharsets.UTF_8);
    }

    @Test
    void countsParametersApartFromBatchNormBuffers() {
        Map<String, HostTensor> m = new LinkedHashMap<>();
        m.put("stem.0.weight", HostTensor.zeros(8, 3, 3, 3));
        m.put("bn1.weight", HostTensor.zeros(8));
        m.put("bn1.running_mean", HostTensor.zeros(8));
        m.put("bn1.running_var", HostTensor.zeros(8));
        m.put("bn1.num_batches_tracked", HostTensor.zeros());
        Path p = dir.resolve("m.safetensors");
        SafeTensorsWriter.write(p, m);
        JsonObject r = JsonParser.parseString(run(p.toString(), "--json", "--bench", "2"))
                .getAsJsonObject();
        assertEquals(216 + 8, r.get("parameters").getAsLong());
        assertEquals(17, r.get("bn_buffers").getAsLong());
        assertEquals("timm", r.get("key_layout").getAsString());
        assertEquals("safetensors", r.get("format").getAsString());
        assertEquals(5, r.getAsJsonArray("tensor_list").size());
        assertEquals(2, r.getAsJsonObject("bench").get("loads").getAsInt());
        String table = run(p.toString());
        assertTrue(
                table.contains("stem.0.weight") && table.contains("[8,3,3,3]") && table.contains("parameters:  224"),
                table);
    }

    @Test
    void officialGoldenIsListedUnderCanonicalNames() {
        Path p = Path.of(
                System.getProperty("edgecl.shared", "../shared"), "golden/edgenext_xx_small_official/weights.pth");
        if (!Files.exists(p)) io.edgecl.TestSupport.skip("fixture " + p.toAbsolutePath() + " is missing");
        JsonObject r = JsonParser.parseString(run(p.toString(), "--json", "--canonical"))
                .getAsJsonObject();
        assertEquals("official_edgenext", r.get("key_layout").getAsString());
        assertEquals("pytorch", r.get("format").getAsString());
        assertEquals(1327216, r.get("parameters").getAsLong());
        assertEquals(
                "stem.0.weight",
                r.getAsJsonArray("tensor_list")
                        .get(0)
                        .getAsJsonObject()
                        .get("name")
                        .getAsString());
    }

    @Test
    void errorsAreTyped() {
        InspectCommand c = new InspectCommand();
        new CommandLine(c).parseArgs(dir.resolve("nope.pth").toString());
        EdgeClException e = assertThrows(EdgeClException.class, c::call);
        assertTrue(e.getMessage().contains("nope.pth"));
        InspectCommand k = new InspectCommand();
        Path p = dir.resolve("k.safetensors");
        SafeTensorsWriter.write(p, Map.of("a", HostTensor.zeros(1)));
        new CommandLine(k).parseArgs(p.toString(), "--key-format", "bogus");
        assertThrows(EdgeClException.class, k::call);
    }
}
