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
 * <p>The rows hold what was measured: CPU runtimes (PoCL) emulate work-group barriers and
 * vectorise explicit vectors only, so they get the register-blocked, explicit-vector kernels;
 * every other device gets the local-memory and work-group kernels. To give a device class its
 * own defaults, add a row (see README, "Adding a device class's defaults").
 */
public final class KernelDefaults {
    /** One row of the table. */
    public record Row(Match match, Map<KernelFamily<?>, Object> values) {}

    private static final List<Row> TABLE = new ArrayList<>();

    static {
        row(Match.ANY)
                .set(KernelFamily.GEMM, new Gemm.Config(Gemm.Variant.TILED, Gemm.ROWS_RM))
                .set(KernelFamily.CONV, Conv2d.Choice.DIRECT)
                .set(KernelFamily.DWCONV, DepthwiseConv.Form.C4)
                .set(KernelFamily.DWCONV_LN, DepthwiseConv.LnForm.GROUP)
                .set(KernelFamily.LAYERNORM, LayerNorm.Form.ROW)
                .set(KernelFamily.ATTENTION, Attention.Variant.DIRECT)
                .set(KernelFamily.XCA, ChannelAttention.Form.GROUP)
                .set(KernelFamily.CASCADE, SplitCascade.Form.PACKED);
        row(Match.kind(Kind.CPU))
                .set(KernelFamily.GEMM, Gemm.Config.PANEL_BY_SHAPE)
                .set(KernelFamily.CONV, Conv2d.Choice.PANEL_BY_SHAPE)
                .set(KernelFamily.DWCONV, DepthwiseConv.Form.VEC)
                .set(KernelFamily.DWCONV_LN, DepthwiseConv.LnForm.VEC)
                .set(KernelFamily.LAYERNORM, LayerNorm.Form.VEC)
                .set(KernelFamily.ATTENTION, Attention.Variant.BLOCKED)
                .set(KernelFamily.XCA, ChannelAttention.Form.GEMM)
                .set(KernelFamily.CASCADE, SplitCascade.Form.SPLIT);
    }

    private static final Map<DeviceInfo, DeviceClass> CLASSES = new ConcurrentHashMap<>();

    private KernelDefaults() {}

    /** A row being filled in. */
    private record Builder(Map<KernelFamily<?>, Object> values) {
        <C> Builder set(KernelFamily<C> family, C value) {
            values.put(family, value);
            return this;
        }
    }

    private static Builder row(Match m) {
        Map<KernelFamily<?>, Object> values = new LinkedHashMap<>();
        TABLE.add(new Row(m, values));
        return new Builder(values);
    }

    /** The rows, least specific first. */
    public static List<Row> rows() {
        return List.copyOf(TABLE);
    }

    /** The default of {@code family} on devices of class {@code c}. */
    public static <C> C get(DeviceClass c, KernelFamily<C> family) {
        return resolve(TABLE, c, family);
    }

    /** The value of the most specific row of {@code rows} that matches {@code c} and sets {@code family}. */
    static <C> C resolve(List<Row> rows, DeviceClass c, KernelFamily<C> family) {
        Row best = null;
        for (Row r : rows) {
            if (r.values().containsKey(family) && r.match().matches(c)
                    && (best == null || r.match().specificity() >= best.match().specificity())) {
                best = r;
            }
        }
        if (best == null) throw new IllegalStateException("no default for " + family + " (the table lacks its ANY row)");
        return family.cast(best.values().get(family));
    }

    /** The default of {@code family} on device {@code d}. */
    public static <C> C get(DeviceInfo d, KernelFamily<C> family) {
        return get(CLASSES.computeIfAbsent(d, DeviceClass::of), family);
    }

    /** Every family's default on {@code c}, with the row it came from, by family name (for `edgecl devices`). */
    public static Map<String, String> describe(DeviceClass c) {
        Map<String, String> out = new LinkedHashMap<>();
        for (KernelFamily<?> f : KernelFamily.ALL) {
            Object v = get(c, f);
            Match from = null;
            for (Row r : TABLE) {
                if (r.values().get(f) == v && r.match().matches(c)
                        && (from == null || r.match().specificity() >= from.specificity())) {
                    from = r.match();
                }
            }
            out.put(f.name(), f.format(v) + " (" + from + ")");
        }
        return out;
    }
}
