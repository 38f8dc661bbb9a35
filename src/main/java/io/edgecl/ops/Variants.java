package io.edgecl.ops;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import io.edgecl.cl.ClContext;

/**
 * The forced kernel variants: each kernel family reads its choice here, from a scope set by
 * {@link #with} on the calling thread (selftest, tests) or else from its system property
 * ({@code -Dedgecl.gemm=…}), else from what `edgecl tune` measured for the op being lowered. An
 * empty value means the device's default. A scope is per thread, so a check of one variant does
 * not change what other threads' sessions build.
 */
public final class Variants {
    private static final ThreadLocal<Map<String, String>> SCOPE = ThreadLocal.withInitial(HashMap::new);

    /**
     * Every forced choice a family offers, by property, as the values that property accepts.
     * Values a device cannot run fall back to that family's default (the panel GEMM on devices
     * with narrow vectors, the vector depthwise kernels where the channel count does not divide).
     */
    public static final Map<String, List<String>> ALL;

    static {
        Map<String, List<String>> m = new LinkedHashMap<>();
        m.put(Gemm.VARIANT_PROPERTY, List.of("tiled", "rows", "block:4", "block8:4", "panel:12x16", "panel:4x32"));
        m.put(Conv2d.VARIANT_PROPERTY, List.of("direct", "panel:12x16", "panel:4x32"));
        m.put(DepthwiseConv.VARIANT_PROPERTY, List.of("vec", "c4"));
        m.put(DepthwiseConv.DWLN_VARIANT_PROPERTY, List.of("vec", "pixel", "group"));
        m.put(LayerNorm.VARIANT_PROPERTY, List.of("vec", "row"));
        m.put(Attention.VARIANT_PROPERTY, List.of("direct", "packed", "blocked"));
        m.put(ChannelAttention.VARIANT_PROPERTY, List.of("gemm", "item", "group"));
        m.put(SplitCascade.VARIANT_PROPERTY, List.of("packed", "split"));
        ALL = java.util.Collections.unmodifiableMap(m);
    }

    /** The op being lowered on this thread, for tuned choices: its device and tuning shape. */
    private record Op(ClContext ctx, String shape) {}

    private static final ThreadLocal<Op> OP = new ThreadLocal<>();

    private Variants() {}

    /**
     * The forced value of {@code property} on this thread, else its system property, else the
     * value `edgecl tune` stored for the op being lowered ({@link #atOp}), else "" (the family's
     * default).
     */
    public static String get(String property) {
        String v = SCOPE.get().get(property);
        if (v != null) return v;
        v = System.getProperty(property, "");
        if (!v.isEmpty()) return v;
        Op op = OP.get();
        if (op != null) {
            String tuned = Tuning.lookup(op.ctx(), tuningKey(property, op.ctx().precision(), op.shape()));
            if (tuned != null && ALL.getOrDefault(property, List.of()).contains(tuned)) return tuned;
        }
        return "";
    }

    /** The tuning key of a family's choice for one op: property, storage precision and the op's tuning shape. */
    public static String tuningKey(String property, io.edgecl.tensor.Precision precision, String shape) {
        return "variant:" + property + ":" + precision.id() + ":" + shape;
    }

    /** Runs {@code body} (an op's lowering) with its tuned choices in reach of {@link #get}. */
    public static <T> T atOp(ClContext ctx, String shape, java.util.function.Supplier<T> body) {
        Op old = OP.get();
        OP.set(new Op(ctx, shape));
        try {
            return body.get();
        } finally {
            if (old == null) OP.remove();
            else OP.set(old);
        }
    }

    /** Runs {@code body} with {@code property} forced to {@code value} on this thread (restored after). */
    public static <T> T with(String property, String value, java.util.function.Supplier<T> body) {
        Map<String, String> scope = SCOPE.get();
        String old = scope.put(property, value);
        try {
            return body.get();
        } finally {
            if (old == null) scope.remove(property);
            else scope.put(property, old);
        }
    }
}
