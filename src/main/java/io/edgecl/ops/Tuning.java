package io.edgecl.ops;

import com.google.gson.Gson;
import com.google.gson.reflect.TypeToken;
import io.edgecl.SharedFiles;
import io.edgecl.cl.ClContext;
import io.edgecl.cl.DeviceInfo;
import io.edgecl.cl.ProgramCache;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Measured kernel choices per (device and driver, kernel family, shape: {@link TuningKey}), kept
 * on disk so that `edgecl tune` pays for the measurements once. A session resolves its plans'
 * choices from a snapshot ({@link KernelChoices#withTuned}); a missing or unreadable file is no
 * error.
 */
public final class Tuning {
    private static final Map<Path, Map<String, String>> LOADED = new ConcurrentHashMap<>();

    private Tuning() {}

    /** The tuning file of a device: cacheRoot/tuning/&lt;device and driver hash&gt;.json. */
    public static Path file(DeviceInfo d) {
        return ProgramCache.cacheRoot().resolve("tuning").resolve(ProgramCache.key("tuning-v2", "", d, "") + ".json");
    }

    private static Map<String, String> table(DeviceInfo d) {
        return LOADED.computeIfAbsent(file(d), f -> {
            Map<String, String> m = new ConcurrentHashMap<>();
            try {
                if (Files.isRegularFile(f)) {
                    Map<String, String> read = new Gson()
                            .fromJson(
                                    Files.readString(f, StandardCharsets.UTF_8),
                                    new TypeToken<Map<String, String>>() {}.getType());
                    if (read != null) m.putAll(read);
                }
            } catch (IOException | RuntimeException e) {
                // a broken file only loses the measurements
            }
            return m;
        });
    }

    /** How many choices are stored for the device: 0 means every op runs its default. */
    public static int size(ClContext ctx) {
        return table(ctx.info()).size();
    }

    /** The device's stored choices, as they are now (a plan resolves its choices from this copy). */
    public static Map<String, String> snapshot(DeviceInfo d) {
        return Map.copyOf(table(d));
    }

    /**
     * Stores several choices at once: one locked read-change-replace of the file, so another
     * process sees all of them or none (the tuner saves its overlay so, at the end).
     */
    public static synchronized void storeAll(ClContext ctx, Map<String, String> choices) {
        if (choices.isEmpty()) return;
        table(ctx.info()).putAll(choices);
        save(ctx, m -> m.putAll(choices));
    }

    /** The stored choice for a key, or null. */
    public static String lookup(ClContext ctx, String key) {
        return table(ctx.info()).get(key);
    }

    /**
     * Stores a choice: the device's file is re-read, changed and replaced under a lock
     * ({@link SharedFiles}), so choices another process stored meanwhile are kept, and this
     * process sees them from now on.
     */
    public static synchronized void store(ClContext ctx, String key, String choice) {
        table(ctx.info()).put(key, choice);
        save(ctx, m -> m.put(key, choice));
    }

    /** Forgets the choice for a key (the heuristic default applies again), in the file as in store. */
    public static synchronized void remove(ClContext ctx, String key) {
        table(ctx.info()).remove(key);
        save(ctx, m -> m.remove(key));
    }

    private static void save(ClContext ctx, java.util.function.Consumer<Map<String, String>> change) {
        Path f = file(ctx.info());
        try {
            String now = SharedFiles.update(f, old -> {
                Map<String, String> m = parse(old);
                change.accept(m);
                return new Gson().toJson(m);
            });
            Map<String, String> mine = table(ctx.info());
            mine.clear();
            mine.putAll(parse(now));
        } catch (IOException | RuntimeException e) {
            // best effort: the choice still holds for this process
        }
    }

    /** A table's JSON as a sorted map; empty for null or a broken file (it only loses measurements). */
    private static Map<String, String> parse(String json) {
        Map<String, String> m = new TreeMap<>();
        if (json == null) return m;
        try {
            Map<String, String> read = new Gson().fromJson(json, new TypeToken<Map<String, String>>() {}.getType());
            if (read != null) m.putAll(read);
        } catch (RuntimeException e) {
            // a damaged table is replaced
        }
        return m;
    }

    /** Forgets what was read from disk (tests that point the cache elsewhere). */
    public static void reload() {
        LOADED.clear();
    }
}
