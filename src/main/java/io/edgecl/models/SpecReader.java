package io.edgecl.models;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Typed access to a model configuration (JSON with the upstream's constructor argument names):
 * unknown keys and wrongly typed values are errors that name the key.
 */
public final class SpecReader {
    private final JsonObject json;
    private final String family;
    private final Set<String> read = new HashSet<>();

    /**
     * Accepted range of each integer field (and of each entry of an integer list): wide enough for
     * every published variant (convnext_xxlarge: dims 3072, depths 30), narrow enough that a typo
     * cannot ask for a model no machine holds. Fields not listed take 0..65536.
     */
    private static final Map<String, long[]> INT_RANGE = Map.ofEntries(
            Map.entry("depths", new long[] {0, 128}),
            Map.entry("depth", new long[] {0, 128}),
            Map.entry("global_block_counts", new long[] {0, 128}),
            Map.entry("dims", new long[] {1, 16384}),
            Map.entry("embed_dim", new long[] {1, 16384}),
            Map.entry("c", new long[] {1, 16384}),
            Map.entry("stem_chs", new long[] {1, 16384}),
            Map.entry("heads", new long[] {1, 1024}),
            Map.entry("head_dim", new long[] {1, 1024}),
            Map.entry("num_classes", new long[] {1, 1_000_000}),
            Map.entry("in_chans", new long[] {1, 64}),
            Map.entry("img_size", new long[] {8, 8192}),
            Map.entry("patch_size", new long[] {1, 64}),
            Map.entry("kernel_sizes", new long[] {1, 63}),
            Map.entry("kernel_size", new long[] {1, 63}),
            Map.entry("d2_scales", new long[] {1, 64}),
            Map.entry("sr_ratios", new long[] {1, 64}),
            Map.entry("s", new long[] {1, 8}),
            Map.entry("expand_ratio", new long[] {1, 64}),
            Map.entry("output_stride", new long[] {1, 64}),
            Map.entry("channel_divisor", new long[] {1, 1024}));
    /** Accepted range of each real-valued field; others must be finite. */
    private static final Map<String, double[]> REAL_RANGE = Map.of(
            "channel_multiplier",
            new double[] {1e-3, 16},
            "depth_multiplier",
            new double[] {1e-3, 16},
            "width_factor",
            new double[] {1e-3, 16},
            "mlp_ratio",
            new double[] {1e-3, 64},
            "bn_eps",
            new double[] {1e-12, 1},
            "norm_eps",
            new double[] {1e-12, 1},
            "br",
            new double[] {1e-3, 16},
            "crop_pct",
            new double[] {1e-3, 4});

    public SpecReader(JsonObject json, String family) {
        this.json = json;
        this.family = family;
    }

    private JsonElement take(String key) {
        read.add(key);
        JsonElement e = json.get(key);
        return e == null || e.isJsonNull() ? null : e;
    }

    /** Marks keys that are accepted and have no effect on inference (dropout rates, init scales). */
    public void ignore(String... keys) {
        for (String k : keys) read.add(k);
    }

    public int[] ints(String key, int[] def, int length) {
        JsonElement e = take(key);
        if (e == null) return def;
        if (!e.isJsonArray()) throw bad(key, "a list of " + length + " integers");
        JsonArray a = e.getAsJsonArray();
        if (length > 0 && a.size() != length) throw bad(key, "a list of " + length + " integers, got " + a.size());
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) {
            JsonElement x = a.get(i);
            if (!x.isJsonPrimitive() || !x.getAsJsonPrimitive().isNumber()) throw bad(key, "integers");
            double d = x.getAsDouble();
            if (d != Math.rint(d)) throw bad(key, "integers, got " + d);
            out[i] = (int) inRange(key + "[" + i + "]", key, d);
        }
        return out;
    }

    public boolean[] bools(String key, boolean[] def, int length) {
        JsonElement e = take(key);
        if (e == null) return def;
        if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isBoolean()) {
            boolean[] out = new boolean[length];
            java.util.Arrays.fill(out, e.getAsBoolean());
            return out;
        }
        if (!e.isJsonArray() || e.getAsJsonArray().size() != length)
            throw bad(key, "a list of " + length + " booleans");
        boolean[] out = new boolean[length];
        for (int i = 0; i < length; i++) {
            JsonElement x = e.getAsJsonArray().get(i);
            if (!x.isJsonPrimitive() || !x.getAsJsonPrimitive().isBoolean()) throw bad(key, "booleans");
            out[i] = x.getAsBoolean();
        }
        return out;
    }

    public int integer(String key, int def) {
        JsonElement e = take(key);
        if (e == null) return def;
        if (!e.isJsonPrimitive()
                || !e.getAsJsonPrimitive().isNumber()
                || e.getAsDouble() != Math.rint(e.getAsDouble())) {
            throw bad(key, "an integer");
        }
        return (int) inRange(key, key, e.getAsDouble());
    }

    public double number(String key, double def) {
        JsonElement e = take(key);
        if (e == null) return def;
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) throw bad(key, "a number");
        double d = e.getAsDouble();
        double[] r = REAL_RANGE.get(key);
        if (!Double.isFinite(d) || (r != null && (d < r[0] || d > r[1]))) {
            throw bad(key, r == null ? "a finite number, got " + d : "in [" + r[0] + ", " + r[1] + "], got " + d);
        }
        return d;
    }

    public boolean bool(String key, boolean def) {
        JsonElement e = take(key);
        if (e == null) return def;
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isBoolean()) throw bad(key, "true or false");
        return e.getAsBoolean();
    }

    public String string(String key, String def, String... allowed) {
        JsonElement e = take(key);
        if (e == null) return def;
        if (!e.isJsonPrimitive() || !((JsonPrimitive) e).isString()) throw bad(key, "a string");
        String s = e.getAsString();
        if (allowed.length > 0 && !java.util.Arrays.asList(allowed).contains(s)) {
            throw bad(key, "one of " + String.join(", ", allowed) + ", got '" + s + "'");
        }
        return s;
    }

    private long inRange(String field, String key, double d) {
        long[] r = INT_RANGE.getOrDefault(key, new long[] {0, 65536});
        if (d < r[0] || d > r[1]) {
            throw new ModelSpecException(
                    family + " configuration: '" + field + "' must be in [" + r[0] + ", " + r[1] + "], got "
                            + (d == Math.rint(d) && Math.abs(d) < 1e18 ? String.valueOf((long) d) : String.valueOf(d)));
        }
        return (long) d;
    }

    /** Throws when the configuration has keys nobody read. */
    public void finish() {
        for (String k : json.keySet()) {
            if (!read.contains(k)) {
                throw new ModelSpecException(family + " configuration: unknown argument '" + k + "' (known: "
                        + String.join(", ", new java.util.TreeSet<>(read)) + ")");
            }
        }
    }

    private ModelSpecException bad(String key, String what) {
        return new ModelSpecException(family + " configuration: '" + key + "' must be " + what);
    }
}
