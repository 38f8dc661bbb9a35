package io.edgecl.api;

import com.google.gson.Gson;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.edgecl.cl.ClContext;
import io.edgecl.cl.DeviceInfo;
import io.edgecl.cl.ProgramCache;
import io.edgecl.tensor.Precision;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Which precisions passed selftest on a device and driver, kept in the cache root, and the
 * precision {@code --precision auto} picks from it.
 */
public final class PrecisionRecord {
    private PrecisionRecord() {}

    private static Path file(DeviceInfo d) {
        // the reported limits too: a device run under -Dedgecl.device.limits chooses other kernels
        String limits = d.type() + " " + d.maxWorkGroupSize() + " " + d.localMemBytes() + " " + d.maxAllocBytes();
        return ProgramCache.cacheRoot()
                .resolve("selftest")
                .resolve(ProgramCache.key("selftest-v1", limits, d, "") + ".json");
    }

    /** Stores which precisions passed (only precisions that ran are updated); an unwritable cache is no error. */
    static void store(DeviceInfo d, SelfTest.Report r) {
        Path f = file(d);
        Set<Precision> ok = r.passedPrecisions();
        try {
            // re-read under a lock: another process's precisions stay (SharedFiles)
            io.edgecl.SharedFiles.update(f, old -> {
                Map<String, String> table = parse(old);
                for (SelfTest.Check c : r.checks()) {
                    if (c.status() == SelfTest.Status.SKIP) continue;
                    table.put(c.precision(), ok.contains(Precision.parse(c.precision())) ? "pass" : "fail");
                }
                return new Gson().toJson(table);
            });
        } catch (IOException | RuntimeException e) {
            // the cache is an optimisation: without it auto falls back to fp32
        }
    }

    private static Map<String, String> read(Path f) {
        try {
            return parse(Files.isRegularFile(f) ? Files.readString(f, StandardCharsets.UTF_8) : null);
        } catch (IOException e) {
            return new TreeMap<>(); // an unreadable record counts as none
        }
    }

    /** A record's JSON as a sorted map; empty for null or a damaged record (it counts as none). */
    private static Map<String, String> parse(String json) {
        Map<String, String> table = new TreeMap<>();
        if (json == null) return table;
        try {
            JsonObject o = JsonParser.parseString(json).getAsJsonObject();
            for (Map.Entry<String, JsonElement> e : o.entrySet())
                table.put(e.getKey(), e.getValue().getAsString());
        } catch (RuntimeException e) {
            table.clear();
        }
        return table;
    }

    /**
     * The precision {@code --precision auto} picks: the fastest mode for the kind of device whose
     * selftest passed on this device and driver. GPUs and other accelerators: fp16 (where the
     * device computes half), then fp16 storage, then fp32; CPU devices: fp32 (their float units
     * are as fast, and converting halves costs more than the memory it saves). A mode with no
     * recorded outcome is checked first (default kernels and the tiny networks, once; the
     * outcome is cached), and {@code note} is told so. fp32 is the fallback.
     */
    public static Precision autoPrecision(Device device, Consumer<String> note) {
        ClContext ctx = device.ctx;
        List<Precision> order = new ArrayList<>();
        if (!ctx.info().isCpu()) {
            if (ctx.halfArithmetic()) order.add(Precision.FP16);
            order.add(Precision.FP16_STORAGE);
        }
        for (Precision p : order) {
            Map<String, String> rec = read(file(ctx.info()));
            if (!rec.containsKey(p.id())) {
                if (note != null)
                    note.accept("precision auto: checking " + p.id() + " on "
                            + ctx.info().name() + " once (edgecl selftest; the outcome is kept per device and driver)");
                SelfTest.run(device, new SelfTest.Options(List.of(p), false, true, null), null);
                rec = read(file(ctx.info()));
            }
            if ("pass".equals(rec.get(p.id()))) return p;
        }
        return Precision.FP32;
    }

    /** The precisions whose last selftest on this device and driver passed. */
    public static Set<Precision> cachedPasses(Device device) {
        Set<Precision> out = EnumSet.noneOf(Precision.class);
        read(file(device.ctx.info())).forEach((k, v) -> {
            if (!v.equals("pass")) return;
            for (Precision p : Precision.values()) if (p.id().equals(k)) out.add(p);
        });
        return out;
    }
}
