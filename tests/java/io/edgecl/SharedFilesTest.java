package io.edgecl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Processes updating one table at once keep every update, and a reader never sees part of the
 * file. Without the lock (each process reading, changing and moving its own copy into place),
 * the last writer wins and the others' updates are lost.
 */
class SharedFilesTest {
    static final int PROCESSES = 3, UPDATES = 40;

    /** A child process: adds UPDATES keys "id:i" to the JSON table, one update each. */
    public static final class Child {
        public static void main(String[] a) throws Exception {
            Path f = Paths.get(a[0]);
            for (int i = 0; i < UPDATES; i++) {
                String key = a[1] + ":" + i;
                SharedFiles.update(f, old -> {
                    JsonObject o = old == null
                            ? new JsonObject()
                            : JsonParser.parseString(old).getAsJsonObject();
                    o.addProperty(key, "v");
                    return new Gson().toJson(o);
                });
            }
        }
    }

    @Test
    void processesUpdatingAtOnceKeepEveryUpdateAndReadersSeeWholeFiles(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("table.json");
        String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
        List<Process> ps = new ArrayList<>();
        for (int p = 0; p < PROCESSES; p++) {
            ps.add(new ProcessBuilder(
                            java,
                            "-cp",
                            System.getProperty("java.class.path"),
                            Child.class.getName(),
                            f.toString(),
                            "p" + p)
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("p" + p + ".log").toFile())
                    .start());
        }
        AtomicBoolean running = new AtomicBoolean(true);
        int reads = 0;
        while (running.get()) {
            running.set(ps.stream().anyMatch(Process::isAlive));
            if (Files.exists(f)) {
                String s = Files.readString(f, StandardCharsets.UTF_8);
                JsonParser.parseString(s).getAsJsonObject(); // whole, or this throws
                reads++;
            }
        }
        for (Process p : ps) {
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue(), Files.readString(dir.resolve("p" + ps.indexOf(p) + ".log")));
        }
        JsonObject o = JsonParser.parseString(Files.readString(f)).getAsJsonObject();
        assertEquals(PROCESSES * UPDATES, o.size(), "every process's every update is in the table");
        assertTrue(reads > 0, "the reader read while the processes wrote");
        try (var s = Files.list(dir)) {
            assertEquals(0, s.filter(p -> p.toString().endsWith(".tmp")).count(), "no temporary file left");
        }
    }
}
