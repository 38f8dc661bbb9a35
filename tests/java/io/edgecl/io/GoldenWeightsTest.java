package io.edgecl.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.edgecl.models.KeyLayout;
import io.edgecl.tensor.HostTensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class GoldenWeightsTest {
    static boolean isBookkeeping(String k) {
        return k.endsWith("num_batches_tracked") || k.endsWith("running_mean") || k.endsWith("running_var");
    }

    @Test
    void everyGoldenWeightsFileLoadsAndMatchesItsParameterCount() throws IOException {
        Path golden = Fixtures.require(Fixtures.golden());
        List<Path> cases;
        try (Stream<Path> s = Files.list(golden)) {
            cases = s.filter(Files::isDirectory).sorted().toList();
        }
        assertFalse(cases.isEmpty());
        List<String> checked = new ArrayList<>();
        for (Path c : cases) {
            Path caseJson = c.resolve("case.json");
            assertTrue(Files.exists(caseJson), c + " has no case.json: a fixture folder that is not checked");
            JsonObject cj = JsonParser.parseString(Files.readString(caseJson)).getAsJsonObject();
            Path w = c.resolve(cj.get("weights").getAsString());
            try (WeightFile f = WeightFile.open(w)) {
                assertEquals(w.toString().endsWith(".pth") ? "pytorch" : "safetensors", f.format(), w.toString());
                assertFalse(f.tensors().isEmpty(), w.toString());
                long params = 0;
                for (var e : f.tensors().entrySet()) {
                    HostTensor t = f.read(e.getKey());
                    assertEquals(e.getValue().numel(), t.numel(), e.getKey());
                    assertArrayEquals(
                            Arrays.stream(e.getValue().shape())
                                    .mapToInt(x -> (int) x)
                                    .toArray(),
                            t.shape());
                    for (float v : t.data()) assertTrue(Float.isFinite(v), e.getKey());
                    if (!isBookkeeping(e.getKey())) params += t.numel();
                }
                assertEquals(cj.get("num_params").getAsLong(), params, w + ": parameter count");
                KeyLayout layout = KeyLayout.detect(f.tensors().keySet());
                String kf = cj.get("key_format").getAsString();
                if (kf.equals("timm")) {
                    assertEquals(KeyLayout.TIMM, layout, w.toString());
                } else {
                    assertTrue(
                            layout == KeyLayout.OFFICIAL_EDGENEXT || layout == KeyLayout.OFFICIAL_EDGEVIT,
                            w + " " + layout);
                }
                checked.add(c.getFileName() + ":" + f.tensors().size());
            }
        }
        assertEquals(cases.size(), checked.size(), "every fixture folder checked");
        System.err.println("golden weights checked: " + checked);
    }

    @Test
    void officialEdgeNextMapsToTheTimmTensors() {
        Path timmPath = Fixtures.require(Fixtures.golden().resolve("edgenext_xx_small/weights.safetensors"));
        Path offPath = Fixtures.require(Fixtures.golden().resolve("edgenext_xx_small_official/weights.pth"));
        Map<String, HostTensor> timm;
        Map<String, HostTensor> off;
        try (WeightFile a = WeightFile.open(timmPath);
                WeightFile b = WeightFile.open(offPath)) {
            assertEquals(KeyLayout.TIMM, KeyLayout.detect(a.tensors().keySet()));
            assertEquals(
                    KeyLayout.OFFICIAL_EDGENEXT, KeyLayout.detect(b.tensors().keySet()));
            assertEquals(
                    KeyLayout.OFFICIAL_EDGENEXT,
                    KeyLayout.resolve("official", b.tensors().keySet()));
            timm = KeyLayout.TIMM.toCanonical(a.readAll());
            off = KeyLayout.resolve("auto", b.tensors().keySet()).toCanonical(b.readAll());
        }
        assertEquals(new java.util.TreeSet<>(timm.keySet()), new java.util.TreeSet<>(off.keySet()));
        for (var e : timm.entrySet()) {
            HostTensor o = off.get(e.getKey());
            assertArrayEquals(e.getValue().shape(), o.shape(), e.getKey());
            assertArrayEquals(e.getValue().data(), o.data(), e.getKey());
        }
    }
}
