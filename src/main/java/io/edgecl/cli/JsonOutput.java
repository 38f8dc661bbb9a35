package io.edgecl.cli;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;

/** The --json documents of bench and profile: indented, NaN and infinities written as such, nulls kept. */
final class JsonOutput {
    private static final Gson GSON = new GsonBuilder()
            .setPrettyPrinting()
            .serializeSpecialFloatingPointValues()
            .serializeNulls()
            .create();

    private JsonOutput() {}

    static String pretty(Object doc) {
        return GSON.toJson(doc);
    }
}
