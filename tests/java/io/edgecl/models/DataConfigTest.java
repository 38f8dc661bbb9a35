package io.edgecl.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Specs that carry their preprocessing and class names, under timm's pretrained_cfg names. */
class DataConfigTest {
    private static VisionModel spec(String json) {
        return Models.fromSpec(JsonParser.parseString(json).getAsJsonObject());
    }

    @Test
    void preprocessingOverridesTheFamilyDefaults() {
        VisionModel base = Models.byName("edgenext_xx_small");
        VisionModel m = spec("{\"model\": \"edgenext_xx_small\", \"input_size\": [3, 288, 288], \"crop_pct\": 1.0,"
                + " \"interpolation\": \"bilinear\"}");
        assertEquals(288, m.preprocess().size());
        assertEquals(1.0, m.preprocess().cropPct());
        assertEquals("bilinear", m.preprocess().interpolation());
        assertEquals(base.preprocess().mean()[0], m.preprocess().mean()[0]);
        assertNull(m.labels());
        VisionModel n = spec("{\"model\": \"edgenext_xx_small\", \"pretrained_cfg\": {\"input_size\": [3, 320, 320], "
                + "\"tag\": \"in1k\"}, \"input_size\": 300}");
        assertEquals(300, n.preprocess().size(), "the top level wins over pretrained_cfg");
        VisionModel f = spec(
                "{\"family\": \"edgenext\", \"dims\": [16, 32, 48, 64], \"depths\": [1, 1, 2, 1],"
                        + " \"num_classes\": 3, \"labels\": [\"a\", \"b\", \"c\"], \"mean\": [0.5, 0.5, 0.5], \"std\": [0.5, 0.5, 0.5]}");
        assertEquals("c", f.labels().get(2));
        assertEquals(0.5f, f.preprocess().std()[1]);
    }

    @Test
    void badFieldsAreNamed() {
        String base = "{\"model\": \"edgenext_xx_small\", ";
        assertMessage(base + "\"input_size\": [3, 288, 300]}", "input_size");
        assertMessage(base + "\"input_size\": [1, 288, 288]}", "input_size[0]");
        assertMessage(base + "\"crop_pct\": 5}", "crop_pct");
        assertMessage(base + "\"std\": [0, 1, 1]}", "std[0]");
        assertMessage(base + "\"mean\": [0.5, 0.5]}", "mean");
        assertMessage(base + "\"interpolation\": \"lanczos7\"}", "lanczos7");
        assertMessage(base + "\"labels\": [\"one\", \"two\"]}", "labels: 2 names");
        assertMessage(base + "\"input_size\": 8}", "input_size");
    }

    @Test
    void caseJsonGivesTheDataBesideItsSpec(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("case.json");
        Files.writeString(
                f,
                "{\"spec\": {\"family\": \"edgenext\", \"dims\": [16, 32, 48, 64], \"depths\": [1, 1, 2, 1],"
                        + " \"num_classes\": 2}, \"labels\": [\"cat\", \"dog\"], \"input_size\": 32}");
        VisionModel m = Models.fromFile(f);
        assertEquals("dog", m.labels().get(1));
        assertEquals(32, m.preprocess().size());
    }

    private static void assertMessage(String json, String part) {
        ModelSpecException e = assertThrows(ModelSpecException.class, () -> spec(json), json);
        assertTrue(e.getMessage().contains(part), e.getMessage());
    }
}
