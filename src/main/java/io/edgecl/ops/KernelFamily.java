package io.edgecl.ops;

import io.edgecl.EdgeClException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * One kernel family's choice, typed {@code C}: its name (as in {@code --kernel NAME=VALUE},
 * {@code -Dedgecl.NAME=VALUE} and the tuning file), the one parser of its values, the values
 * {@code edgecl tune} and {@code selftest --variants} try, and how a value is written back.
 * Which value an op runs is resolved by {@link OpChoices}: a session's options, else the tuned
 * choice for the op's shape, else the device class's default ({@link KernelDefaults}).
 */
public final class KernelFamily<C> {
    public static final KernelFamily<Gemm.Config> GEMM = new KernelFamily<>(
            "gemm",
            Gemm.Config.class,
            Gemm.Config::parse,
            Gemm.Config::toString,
            Gemm.CANDIDATES,
            Gemm.Config::kernelKey,
            "tiled, rows, block[:R], block8[:R] (R 1..32), panel[:RxW] (R 1..16, W 4, 8, 16 or 32) or panel:auto");
    public static final KernelFamily<Conv2d.Choice> CONV = new KernelFamily<>(
            "conv",
            Conv2d.Choice.class,
            Conv2d.Choice::parse,
            Conv2d.Choice::toString,
            Conv2d.Choice.CANDIDATES,
            Conv2d.Choice::toString,
            "direct, panel[:RxW] (R 1..16, W 4, 8, 16 or 32) or panel:auto");
    public static final KernelFamily<DepthwiseConv.Form> DWCONV = ofEnum("dwconv", DepthwiseConv.Form.class);
    public static final KernelFamily<DepthwiseConv.LnForm> DWCONV_LN = ofEnum("dwconv-ln", DepthwiseConv.LnForm.class);
    public static final KernelFamily<LayerNorm.Form> LAYERNORM = ofEnum("layernorm", LayerNorm.Form.class);
    public static final KernelFamily<Attention.Variant> ATTENTION = ofEnum("attention", Attention.Variant.class);
    public static final KernelFamily<ChannelAttention.Form> XCA = ofEnum("xca", ChannelAttention.Form.class);
    public static final KernelFamily<SplitCascade.Form> CASCADE = ofEnum("cascade", SplitCascade.Form.class);
    public static final KernelFamily<ExpandDepthwise.Form> EXPAND_DW = ofEnum("expand-dw", ExpandDepthwise.Form.class);
    public static final KernelFamily<DepthwiseGemm.Form> DW_GEMM = ofEnum("dw-gemm", DepthwiseGemm.Form.class);
    public static final KernelFamily<Conv2d.Input> CONV_INPUT = ofEnum("conv-input", Conv2d.Input.class);
    /** auto is one of the other two on every device: those are what tune measures and selftest checks. */
    public static final KernelFamily<Gemm.Tiles> TILES =
            ofEnum("tiles", Gemm.Tiles.class, List.of(Gemm.Tiles.WIDE, Gemm.Tiles.NARROW));
    /** Likewise: auto is one or two for each gate. */
    public static final KernelFamily<SqueezeExcite.Form> SE_EXCITE =
            ofEnum("se-excite", SqueezeExcite.Form.class, List.of(SqueezeExcite.Form.ONE, SqueezeExcite.Form.TWO));

    /** Every family, in the order tools list them. */
    public static final List<KernelFamily<?>> ALL = List.of(
            GEMM,
            CONV,
            DWCONV,
            DWCONV_LN,
            LAYERNORM,
            ATTENTION,
            XCA,
            CASCADE,
            EXPAND_DW,
            DW_GEMM,
            CONV_INPUT,
            TILES,
            SE_EXCITE);

    private final String name;
    private final Class<C> type;
    private final Function<String, C> parser;
    private final Function<C, String> printer;
    private final List<C> candidates;
    private final Function<C, String> kernelKey;
    private final String usage;

    private KernelFamily(
            String name,
            Class<C> type,
            Function<String, C> parser,
            Function<C, String> printer,
            List<C> candidates,
            Function<C, String> kernelKey,
            String usage) {
        this.name = name;
        this.type = type;
        this.parser = parser;
        this.printer = printer;
        this.candidates = List.copyOf(candidates);
        this.kernelKey = kernelKey;
        this.usage = usage;
    }

    private static <E extends Enum<E>> KernelFamily<E> ofEnum(String name, Class<E> type) {
        return ofEnum(name, type, List.of(type.getEnumConstants()));
    }

    private static <E extends Enum<E>> KernelFamily<E> ofEnum(String name, Class<E> type, List<E> candidates) {
        List<E> values = List.of(type.getEnumConstants());
        List<String> names = new ArrayList<>();
        for (E e : values) names.add(e.name().toLowerCase(Locale.ROOT));
        String usage = String.join(", ", names.subList(0, names.size() - 1)) + " or " + names.get(names.size() - 1);
        return new KernelFamily<>(
                name,
                type,
                s -> Enum.valueOf(type, s.trim().toUpperCase(Locale.ROOT)),
                e -> e.name().toLowerCase(Locale.ROOT),
                candidates,
                e -> e.name().toLowerCase(Locale.ROOT),
                usage);
    }

    /** The family's name: "gemm", "conv", "dwconv", "dwconv-ln", "layernorm", "attention", "xca", "cascade". */
    public String name() {
        return name;
    }

    /** The system property that forces this family from the command line of the JVM. */
    public String property() {
        return "edgecl." + name;
    }

    /** The values accepted, in words. */
    public String usage() {
        return usage;
    }

    /** Parses a value; an unknown one is an error naming the family and what it accepts. */
    public C parse(String value) {
        try {
            C c = parser.apply(value);
            if (c == null) throw new IllegalArgumentException();
            return c;
        } catch (RuntimeException e) {
            throw new EdgeClException("kernel choice " + name + "=" + value + ": use " + usage);
        }
    }

    /** {@code value} written as {@link #parse} reads it. */
    public String format(Object value) {
        return printer.apply(cast(value));
    }

    /** The values the tuner measures and selftest checks. */
    public List<C> candidates() {
        return candidates;
    }

    /**
     * The candidates that launch different kernels or kernel shapes: the one of each that a check
     * of every variant needs (the rows of a panel change its speed, not its code paths).
     */
    public List<C> distinctCandidates() {
        Map<String, C> first = new LinkedHashMap<>();
        for (C c : candidates) first.putIfAbsent(kernelKey.apply(c), c);
        return List.copyOf(first.values());
    }

    /** {@code value} as this family's type; a value of another type is a programming error. */
    C cast(Object value) {
        return type.cast(value);
    }

    /** The family called {@code name}; an unknown name is an error listing the families. */
    public static KernelFamily<?> byName(String name) {
        for (KernelFamily<?> f : ALL) if (f.name.equals(name)) return f;
        List<String> names = new ArrayList<>();
        for (KernelFamily<?> f : ALL) names.add(f.name);
        throw new EdgeClException("no kernel family '" + name + "': the families are " + String.join(", ", names));
    }

    @Override
    public String toString() {
        return name;
    }
}
