package io.edgecl.ops;

import io.edgecl.tensor.Precision;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The kernel choices a plan is built with, resolved once: the choices its session forces
 * (options, command line) over the tuned choices of its device (a snapshot of the tuning file,
 * or the tuner's private overlay), over each family's device-class default. Immutable; {@link
 * #at} gives the view of one op.
 */
public final class KernelChoices {
    /** The panel kernels' runtime-epilogue bound by default (see {@link Gemm}). */
    public static final long DEFAULT_RUNTIME_EPILOGUE_FLOPS = 2_000_000L;

    /** Nothing forced, nothing tuned. */
    public static final KernelChoices DEFAULTS = new KernelChoices(Map.of(), Map.of(), DEFAULT_RUNTIME_EPILOGUE_FLOPS);

    private final Map<KernelFamily<?>, Object> forced;
    private final Map<String, String> tuned;
    private final long runtimeEpilogueFlops;

    private KernelChoices(Map<KernelFamily<?>, Object> forced, Map<String, String> tuned, long runtimeEpilogueFlops) {
        this.forced = forced;
        this.tuned = tuned;
        this.runtimeEpilogueFlops = runtimeEpilogueFlops;
    }

    /** These choices with {@code value} forced for every op of {@code family}. */
    public <C> KernelChoices forcing(KernelFamily<C> family, C value) {
        return force(family, family.cast(value));
    }

    /** These choices with {@code value} ({@link KernelFamily#parse}'s form) forced for every op of {@code family}. */
    public KernelChoices forcingParsed(KernelFamily<?> family, String value) {
        return force(family, family.parse(value));
    }

    private KernelChoices force(KernelFamily<?> family, Object value) {
        Map<KernelFamily<?>, Object> f = new LinkedHashMap<>(forced);
        f.put(family, value);
        return new KernelChoices(Map.copyOf(f), tuned, runtimeEpilogueFlops);
    }

    /** These choices with {@code table} (tuning keys to values) as the tuned ones. */
    public KernelChoices withTuned(Map<String, String> table) {
        return new KernelChoices(forced, Map.copyOf(table), runtimeEpilogueFlops);
    }

    /** These choices with the panel kernels' runtime-epilogue bound moved (0: never, large: always). */
    public KernelChoices withRuntimeEpilogueFlops(long flops) {
        return new KernelChoices(forced, tuned, flops);
    }

    /** The view of one op: its precision and tuning shape select its tuned choices. */
    public OpChoices at(Precision precision, String opShape) {
        return new OpChoices(this, precision, opShape);
    }

    /** The forced choices, by family name (for reports). */
    public Map<String, String> forcedByName() {
        Map<String, String> out = new TreeMap<>();
        forced.forEach((f, v) -> out.put(f.name(), f.format(v)));
        return out;
    }

    /** How many tuned choices are in reach. */
    public int tunedCount() {
        return tuned.size();
    }

    long runtimeEpilogueFlops() {
        return runtimeEpilogueFlops;
    }

    <C> Optional<C> forced(KernelFamily<C> family) {
        Object v = forced.get(family);
        return v == null ? Optional.empty() : Optional.of(family.cast(v));
    }

    /** A tuned value that no longer parses (a family's values changed) is ignored: the default applies. */
    <C> Optional<C> tuned(TuningKey key) {
        String v = tuned.get(key.toString());
        if (v == null) return Optional.empty();
        @SuppressWarnings("unchecked")
        KernelFamily<C> family = (KernelFamily<C>) key.family();
        try {
            return Optional.of(family.parse(v));
        } catch (io.edgecl.EdgeClException e) {
            return Optional.empty();
        }
    }
}
