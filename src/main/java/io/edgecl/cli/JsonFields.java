package io.edgecl.cli;

import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Fields of the CLI's JSON output for shell scripts that run where only the jar and a Java runtime
 * are (the GPU bundle's run.sh): {@code java -cp edgecl.jar io.edgecl.cli.JsonFields -f FILE PATH...
 * [-f FILE PATH...]}. Prints one line per PATH: keys joined by dots ({@code wall_ms.medianMs}), a
 * string without its quotes, a number as written; {@code NAME#} is the length of the array NAME.
 * A missing field, file or unparsable file prints an empty line, so a script reading the lines in
 * order stays aligned; the exit code is 1 when any file could not be read, 2 for wrong arguments.
 */
public final class JsonFields {
    private JsonFields() {}

    public static void main(String[] args) {
        System.exit(run(System.out, System.err, args));
    }

    static int run(PrintStream out, PrintStream err, String... args) {
        if (args.length < 2 || !args[0].equals("-f")) {
            err.println("usage: java -cp edgecl.jar io.edgecl.cli.JsonFields -f FILE PATH... [-f FILE PATH...]");
            return 2;
        }
        List<String> lines = new ArrayList<>();
        JsonElement doc = null;
        int rc = 0;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("-f")) {
                if (i + 1 >= args.length) {
                    err.println("JsonFields: -f needs a file");
                    return 2;
                }
                Path file = Path.of(args[++i]);
                try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                    doc = JsonParser.parseReader(r);
                } catch (IOException | RuntimeException e) {
                    err.println("JsonFields: cannot read " + file + ": " + e.getMessage());
                    doc = null;
                    rc = 1;
                }
            } else {
                lines.add(text(get(doc, args[i])));
            }
        }
        lines.forEach(out::println);
        out.flush();
        return rc;
    }

    /** The element at PATH, or null. */
    static JsonElement get(JsonElement doc, String path) {
        boolean length = path.endsWith("#");
        JsonElement e = doc;
        for (String key : (length ? path.substring(0, path.length() - 1) : path).split("\\.")) {
            if (e == null || !e.isJsonObject()) return null;
            e = e.getAsJsonObject().get(key);
        }
        if (!length) return e;
        return e != null && e.isJsonArray()
                ? new JsonPrimitive(e.getAsJsonArray().size())
                : null;
    }

    private static String text(JsonElement e) {
        if (e == null || e.isJsonNull()) return "";
        String s = e.isJsonPrimitive() ? e.getAsString() : e.toString();
        // One line per field: a line break in a value would shift every later field.
        return s.replaceAll("[\\r\\n]+", " ");
    }
}
