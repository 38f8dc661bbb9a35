package io.edgecl.ops;

import com.google.gson.Gson;
import com.google.gson.reflect.TypeToken;
import io.edgecl.cl.ClContext;
import io.edgecl.cl.DeviceInfo;
import io.edgecl.cl.ProgramCache;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Measured kernel choices per (device and driver, kernel family, shape), kept on disk so that
 * `edgecl tune` pays for the measurements once. Ops look a shape up here first and fall back to
 * their heuristic default; a missing or unreadable file is no error.
 */
public final class Tuning {
    private static final Map<Path, Map<String, String>> LOADED = new ConcurrentHashMap<>();

    private Tuning() {}

    /** The tuning file of a device: cacheRoot/tuning/&lt;device and driver hash&gt;.json. */
    public static Path file(DeviceInfo d) {
        return ProgramCache.cacheRoot().resolve("tuning").resolve(ProgramCache.key("tuning-v1", "", d, "") + ".json");
    }

    private static Map<String, String> table(DeviceInfo d) {
        return LOADED.computeIfAbsent(file(d), f -> {
            Map<String, String> m = new ConcurrentHashMap<>();
            try {
                if (Files.isRegularFile(f)) {
                    Map<String, String> read = new Gson().fromJson(Files.readString(f, StandardCharsets.UTF_8),
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

    /** The stored choice for a key, or null. */
    public static String lookup(ClContext ctx, String key) {
        return table(ctx.info()).get(key);
    }

    /** Stores a choice and rewrites the device's file atomically. */
    public static synchronized void store(ClContext ctx, String key, String choice) {
        Map<String, String> m = table(ctx.info());
        m.put(key, choice);
        save(ctx, m);
    }

    /** Forgets the choice for a key (the heuristic default applies again). */
    public static synchronized void remove(ClContext ctx, String key) {
        Map<String, String> m = table(ctx.info());
        if (m.remove(key) != null) save(ctx, m);
    }

    private static void save(ClContext ctx, Map<String, String> m) {
        Path f = file(ctx.info());
        try {
            Files.createDirectories(f.getParent());
            Path tmp = Files.createTempFile(f.getParent(), "tuning", ".tmp");
            Files.writeString(tmp, new Gson().toJson(new TreeMap<>(m)), StandardCharsets.UTF_8);
            try {
                Files.move(tmp, f, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, f, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            // best effort: the choice still holds for this process
        }
    }

    /** Forgets what was read from disk (tests that point the cache elsewhere). */
    public static void reload() {
        LOADED.clear();
    }
}
