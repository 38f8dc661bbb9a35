package io.edgecl.ops;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The forced kernel variants: each kernel family reads its choice here, from a scope set by
 * {@link #with} on the calling thread (selftest, tests) or else from its system property
 * ({@code -Dedgecl.gemm=…}). An empty value means the device's default. A scope is per thread, so
 * a check of one variant does not change what other threads' sessions build.
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

    private Variants() {}

    /** The forced value of {@code property} on this thread, else its system property, else "". */
    public static String get(String property) {
        String v = SCOPE.get().get(property);
        return v != null ? v : System.getProperty(property, "");
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
