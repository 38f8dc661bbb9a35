package io.edgecl.models;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import io.edgecl.EdgeClException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Specs are user input: a field out of any sensible range, or a model too large for this
 * machine, is refused in milliseconds with the field named, before anything is allocated.
 */
class ConfigBoundsTest {
    private static VisionModel spec(String json) {
        return Models.fromSpec(JsonParser.parseString(json).getAsJsonObject());
    }

    private static void refused(String json, String field) {
        // refusals take milliseconds; the limit leaves room for a loaded machine and class loading
        // while still catching the reported cases (81 s to an OutOfMemoryError, > 300 s)
        ModelSpecException e = assertTimeoutPreemptively(
                Duration.ofSeconds(30),
                () -> assertThrows(
                        ModelSpecException.class,
                        () -> {
                            VisionModel m = spec(json);
                            m.build(Weights.synthetic(null), 1, 64, 64);
                        },
                        json));
        assertTrue(e.getMessage().contains(field), field + " named: " + e.getMessage());
        assertTrue(!e.getMessage().contains("\n"), "one line: " + e.getMessage());
    }

    @Test
    void theReportedConfigsAreRefusedQuicklyNamingTheField() {
        refused("{\"family\": \"edgenext\", \"dims\": [2147483647, 32, 48, 64]}", "dims[0]");
        refused("{\"family\": \"edgenext\", \"num_classes\": 2147483647}", "num_classes");
        refused("{\"family\": \"edgenext\", \"dims\": [4096, 8192, 16384, 32768]}", "dims[3]");
        refused("{\"family\": \"edgenext\", \"depths\": [200000, 2, 6, 2]}", "depths[0]");
        // Within every field's range, but far too many parameters together.
        refused(
                "{\"family\": \"edgenext\", \"dims\": [4096, 8192, 16384, 16384], \"heads\": [8, 8, 8, 8]}",
                "parameters");
        refused(
                "{\"family\": \"convnext\", \"dims\": [8, 16, 24, 32], \"depths\": [1, 1, 1, 1], \"mlp_ratio\": 1e9}",
                "mlp_ratio");
    }

    /**
     * Random perturbations of every registered variant: each builds, or is refused with EdgeCL's
     * typed error; never another exception, an OutOfMemoryError, or a build of more than seconds.
     */
    @Test
    void randomConfigsNeverEscapeTheTypedErrors() {
        Random r = new Random(12345);
        List<String[]> variants = new ArrayList<>();
        for (Models.Family f : Models.FAMILIES) {
            for (Map.Entry<String, String> v : f.variants().entrySet())
                variants.add(new String[] {v.getKey(), v.getValue()});
        }
        int built = 0, refusedCount = 0;
        for (int i = 0; i < 400; i++) {
            String[] v = variants.get(r.nextInt(variants.size()));
            JsonObject spec = new JsonObject();
            spec.addProperty("model", v[0]);
            JsonObject args = JsonParser.parseString(v[1]).getAsJsonObject();
            List<String> keys = new ArrayList<>(args.keySet());
            keys.addAll(List.of("num_classes", "input_size"));
            // Half of the specs get one mild change (they mostly build), half up to three wild ones.
            boolean wild = r.nextBoolean();
            for (int k = 0, n = wild ? 1 + r.nextInt(3) : 1; k < n; k++) {
                String key = keys.get(r.nextInt(keys.size()));
                spec.add(key, wild ? mutate(args.get(key), r) : mild(args.get(key), key, r));
            }
            String json = spec.toString();
            boolean ok = assertTimeoutPreemptively(
                    Duration.ofSeconds(20),
                    () -> {
                        try {
                            VisionModel m =
                                    Models.fromSpec(JsonParser.parseString(json).getAsJsonObject());
                            int[] sizes = {32, 64, 96};
                            int s = sizes[Math.floorMod(json.hashCode(), 3)];
                            ModelBudget.withMaxParams(5_000_000, () -> {
                                m.checkInput(3, s, s);
                                m.build(Weights.synthetic(null), 1, s, s);
                            });
                            return true;
                        } catch (EdgeClException e) {
                            if (e.getMessage() == null || e.getMessage().isBlank()) fail("empty message for " + json);
                            return false;
                        } catch (RuntimeException | OutOfMemoryError e) {
                            fail("untyped failure for " + json + ": " + e, e);
                            return false;
                        }
                    },
                    json);
            if (ok) built++;
            else refusedCount++;
        }
        assertTrue(
                built > 40 && refusedCount > 40,
                "both outcomes exercised: built " + built + ", refused " + refusedCount);
    }

    private static JsonElement mild(JsonElement e, String key, Random r) {
        if (key.equals("num_classes")) return new JsonPrimitive(1 + r.nextInt(2000));
        if (key.equals("input_size")) return new JsonPrimitive(32 * (1 + r.nextInt(3)));
        if (e != null && e.isJsonArray()) {
            JsonArray a = e.getAsJsonArray().deepCopy();
            if (a.size() > 0) {
                int i = r.nextInt(a.size());
                JsonElement x = a.get(i);
                if (x.isJsonPrimitive() && x.getAsJsonPrimitive().isNumber()) {
                    a.set(i, new JsonPrimitive(Math.max(1, x.getAsInt() + r.nextInt(5) - 2)));
                }
            }
            return a;
        }
        return e == null ? new JsonPrimitive(1) : e;
    }

    private static JsonElement mutate(JsonElement e, Random r) {
        switch (r.nextInt(8)) {
            case 0:
                return new JsonPrimitive(r.nextInt());
            case 1:
                return new JsonPrimitive(-1 - r.nextInt(5));
            case 2:
                return new JsonPrimitive("x");
            case 3: {
                JsonArray a = new JsonArray();
                for (int i = 0, n = r.nextInt(6); i < n; i++) a.add((long) Math.pow(2, r.nextInt(24)));
                return a;
            }
            case 4:
                return new JsonPrimitive(r.nextDouble() * Math.pow(10, r.nextInt(12) - 3));
            case 5:
                return com.google.gson.JsonNull.INSTANCE;
            default:
                if (e != null && e.isJsonArray()) {
                    JsonArray a = e.getAsJsonArray().deepCopy();
                    if (a.size() > 0) {
                        int i = r.nextInt(a.size());
                        JsonElement x = a.get(i);
                        if (x.isJsonPrimitive() && x.getAsJsonPrimitive().isNumber()) {
                            a.set(i, new JsonPrimitive(x.getAsDouble() * (1 + r.nextInt(64))));
                        }
                    }
                    return a;
                }
                return new JsonPrimitive(1 + r.nextInt(2048));
        }
    }
}
