package io.edgecl.ops;

import io.edgecl.cl.DeviceClass;
import io.edgecl.cl.DeviceClass.Kind;
import io.edgecl.cl.DeviceClass.Match;
import io.edgecl.cl.DeviceInfo;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Each kernel family's default per device class: a table of rows, each a {@link Match} over
 * classes (any device; a kind; a vendor; an architecture; a model) and the choices it sets. A
 * device takes, per family, the value of the most specific matching row that sets that family,
 * so a row need only name what differs from the level above and every level has a default.
 *
 * <p>The table is data, {@value #RESOURCE} in the jar, with why each row says what it says; to
 * give a device class its own defaults, add a row there (README, "Adding a device class's
 * defaults").
 */
public final class KernelDefaults {
    /** One row of the table. */
    public record Row(Match match, Map<KernelFamily<?>, Object> values) {}

    /** The table's file in the jar. */
    static final String RESOURCE = "/io/edgecl/ops/kernel-defaults.txt";

    private static final List<Row> TABLE = parse(read(), RESOURCE);

    private static final Map<DeviceInfo, DeviceClass> CLASSES = new ConcurrentHashMap<>();

    private KernelDefaults() {}

    private static String read() {
        try (java.io.InputStream in = KernelDefaults.class.getResourceAsStream(RESOURCE)) {
            if (in == null) throw new IllegalStateException(RESOURCE + " is missing from the jar");
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * The rows of a table's text: per line a class pattern ("any" or
     * kind[/vendor[/architecture[/model]]]) and FAMILY=VALUE pairs; # starts a comment. An error
     * names the source, the line and what is wrong.
     */
    static List<Row> parse(String text, String source) {
        List<Row> rows = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].replaceAll("#.*", "").trim();
            if (line.isEmpty()) continue;
            String[] parts = line.split("\\s+");
            try {
                Match m = match(parts[0]);
                Map<KernelFamily<?>, Object> values = new LinkedHashMap<>();
                for (int p = 1; p < parts.length; p++) {
                    int eq = parts[p].indexOf('=');
                    if (eq <= 0) throw new IllegalArgumentException("'" + parts[p] + "' is not FAMILY=VALUE");
                    KernelFamily<?> f = KernelFamily.byName(parts[p].substring(0, eq));
                    if (values.put(f, f.parse(parts[p].substring(eq + 1))) != null) {
                        throw new IllegalArgumentException(f + " set twice");
                    }
                }
                rows.add(new Row(m, Map.copyOf(values)));
            } catch (RuntimeException e) {
                throw new io.edgecl.EdgeClException(source + ", line " + (i + 1) + ": " + e.getMessage());
            }
        }
        return List.copyOf(rows);
    }

    private static Match match(String pattern) {
        if (pattern.equals("any")) return Match.ANY;
        String[] p = pattern.split("/");
        if (p.length > 4)
            throw new IllegalArgumentException("'" + pattern + "': at most kind/vendor/architecture/model");
        return new Match(
                Kind.valueOf(p[0].toUpperCase(java.util.Locale.ROOT)),
                p.length > 1 ? DeviceClass.Vendor.valueOf(p[1].toUpperCase(java.util.Locale.ROOT)) : null,
                p.length > 2 ? p[2] : null,
                p.length > 3 ? p[3] : null);
    }

    /** The rows, least specific first. */
    public static List<Row> rows() {
        return TABLE;
    }

    /** The default of {@code family} on devices of class {@code c}. */
    public static <C> C get(DeviceClass c, KernelFamily<C> family) {
        return resolve(TABLE, c, family);
    }

    /** The value of the most specific row of {@code rows} that matches {@code c} and sets {@code family}. */
    static <C> C resolve(List<Row> rows, DeviceClass c, KernelFamily<C> family) {
        return family.cast(row(rows, c, family).values().get(family));
    }

    /** The most specific row of {@code rows} that matches {@code c} and sets {@code family}. */
    private static Row row(List<Row> rows, DeviceClass c, KernelFamily<?> family) {
        Row best = null;
        for (Row r : rows) {
            if (r.values().containsKey(family)
                    && r.match().matches(c)
                    && (best == null || r.match().specificity() >= best.match().specificity())) {
                best = r;
            }
        }
        if (best == null)
            throw new IllegalStateException("no default for " + family + " (the table lacks its ANY row)");
        return best;
    }

    /** The default of {@code family} on device {@code d}. */
    public static <C> C get(DeviceInfo d, KernelFamily<C> family) {
        return get(CLASSES.computeIfAbsent(d, DeviceClass::of), family);
    }

    /** Every family's default on {@code c}, with the row it came from, by family name (for `edgecl devices`). */
    public static Map<String, String> describe(DeviceClass c) {
        Map<String, String> out = new LinkedHashMap<>();
        for (KernelFamily<?> f : KernelFamily.ALL) {
            Row r = row(TABLE, c, f);
            out.put(f.name(), f.format(r.values().get(f)) + " (" + r.match() + ")");
        }
        return out;
    }
}
