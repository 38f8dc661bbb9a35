package io.edgecl.models;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.util.HashSet;
import java.util.Set;

/**
 * Typed access to a model configuration (JSON with the upstream's constructor argument names):
 * unknown keys and wrongly typed values are errors that name the key.
 */
public final class SpecReader {
    private final JsonObject json;
    private final String family;
    private final Set<String> read = new HashSet<>();

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
            out[i] = (int) d;
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
        if (!e.isJsonArray() || e.getAsJsonArray().size() != length) throw bad(key, "a list of " + length + " booleans");
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
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber() || e.getAsDouble() != Math.rint(e.getAsDouble())) {
            throw bad(key, "an integer");
        }
        return e.getAsInt();
    }

    public double number(String key, double def) {
        JsonElement e = take(key);
        if (e == null) return def;
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) throw bad(key, "a number");
        return e.getAsDouble();
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
