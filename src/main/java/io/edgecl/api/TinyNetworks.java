package io.edgecl.api;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.edgecl.EdgeClException;
import io.edgecl.graph.Graph;
import io.edgecl.models.Models;
import io.edgecl.models.VisionModel;
import io.edgecl.models.Weights;
import io.edgecl.tensor.HostTensor;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * The tiny networks selftest runs, one per family (10 classes, input 1×3×64×64, seeded weights),
 * and their reference outputs stored in the jar ({@code /io/edgecl/selftest/references.json},
 * computed by the host reference; a test keeps them current).
 */
public final class TinyNetworks {
    private static final String REFERENCES = "/io/edgecl/selftest/references.json";

    private static final String NETWORKS = "/io/edgecl/selftest/networks.json";

    /** The tiny networks, one per family: name and spec (10 classes, input 1×3×64×64), from the jar. */
    public static final Map<String, String> TINY = tiny();

    private static Map<String, String> tiny() {
        try (InputStream in = SelfTest.class.getResourceAsStream(NETWORKS)) {
            if (in == null) throw new IllegalStateException(NETWORKS + " is missing from the jar");
            JsonObject o = JsonParser.parseReader(new InputStreamReader(in, StandardCharsets.UTF_8))
                    .getAsJsonObject();
            Map<String, String> m = new LinkedHashMap<>();
            o.getAsJsonObject("networks")
                    .entrySet()
                    .forEach(e -> m.put(e.getKey(), e.getValue().toString()));
            return java.util.Collections.unmodifiableMap(m);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Seed of the tiny networks' weights and inputs. */
    public static final long SEED = 20261202L;

    /** The stored reference logits of the tiny networks, by family. */
    public static Map<String, float[]> references() {
        try (InputStream in = SelfTest.class.getResourceAsStream(REFERENCES)) {
            if (in == null)
                throw new EdgeClException("selftest references " + REFERENCES + " are missing from the jar");
            JsonObject o = JsonParser.parseReader(new InputStreamReader(in, StandardCharsets.UTF_8))
                    .getAsJsonObject();
            Map<String, float[]> out = new LinkedHashMap<>();
            for (Map.Entry<String, JsonElement> e : o.getAsJsonObject("logits").entrySet()) {
                JsonArray a = e.getValue().getAsJsonArray();
                float[] f = new float[a.size()];
                for (int i = 0; i < f.length; i++) f[i] = a.get(i).getAsFloat();
                out.put(e.getKey(), f);
            }
            return out;
        } catch (IOException e) {
            throw new EdgeClException("cannot read " + REFERENCES + ": " + e.getMessage(), e);
        }
    }

    /**
     * The tiny networks' outputs from the plain-Java reference (what the stored references hold):
     * "FAMILY" the logits, "FAMILY/feature" the deepest stage's features (the logits alone are
     * dominated by the head's bias with seeded weights).
     */
    public static Map<String, float[]> computeReferences() {
        Map<String, float[]> out = new LinkedHashMap<>();
        for (String family : TINY.keySet()) {
            Graph g = tinyGraph(family);
            Map<String, HostTensor> all = io.edgecl.graph.HostEval.run(g, tinyInput());
            out.put(family, all.get("logits").data());
            out.put(family + "/feature", all.get(deepestFeature(g)).data());
        }
        return out;
    }

    /** The name of the last "features.i" output. */
    static String deepestFeature(Graph g) {
        String best = null;
        for (String k : g.outputs().keySet()) {
            if (!k.startsWith("features.")) continue;
            if (best == null || Integer.parseInt(k.substring(9)) > Integer.parseInt(best.substring(9))) best = k;
        }
        if (best == null) throw new IllegalStateException("no features output");
        return best;
    }

    /** The references file's text for {@code logits}. */
    public static String referencesJson(Map<String, float[]> logits) {
        JsonObject o = new JsonObject();
        o.addProperty(
                "about",
                "outputs (logits, deepest features) of TinyNetworks.TINY's networks (weights Weights.synthetic(SEED), input tinyInput()),"
                        + " from the plain-Java reference (HostEval)");
        JsonObject l = new JsonObject();
        logits.forEach((k, v) -> {
            JsonArray a = new JsonArray();
            for (float f : v) a.add(f);
            l.add(k, a);
        });
        o.add("logits", l);
        return new com.google.gson.GsonBuilder().setPrettyPrinting().create().toJson(o) + "\n";
    }

    /** A tiny network's model (spec with 10 classes). */
    public static VisionModel tinyModel(String family) {
        JsonObject spec = JsonParser.parseString(TINY.get(family)).getAsJsonObject();
        spec.addProperty("num_classes", 10);
        return Models.fromSpec(spec);
    }

    /** A tiny network's graph with its seeded weights, batch 1 at 64×64, unfused. */
    public static Graph tinyGraph(String family) {
        Weights w = Weights.synthetic(SEED);
        Graph g = tinyModel(family).build(w, 1, 64, 64);
        w.finish();
        return g;
    }

    /** The tiny networks' input: seeded gaussians, 1×3×64×64. */
    public static HostTensor tinyInput() {
        Random r = new Random(SEED);
        float[] d = new float[3 * 64 * 64];
        for (int i = 0; i < d.length; i++) d[i] = (float) r.nextGaussian();
        return new HostTensor(new int[] {1, 3, 64, 64}, d);
    }

    private TinyNetworks() {}
}
