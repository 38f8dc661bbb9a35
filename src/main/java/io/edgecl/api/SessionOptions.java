package io.edgecl.api;

import io.edgecl.ops.KernelFamily;
import io.edgecl.tensor.Precision;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * How to open a {@link Session}: on which device, in which storage precision, with which fusion
 * rules off, which kernels forced, how many plans kept. Immutable; each {@code with…} method
 * returns a changed copy.
 *
 * <pre>{@code
 * SessionOptions o = SessionOptions.defaults().withDevice("gpu").withPrecision(Precision.FP16_STORAGE)
 *         .withKernel("gemm", "panel:8x16");
 * }</pre>
 */
public final class SessionOptions {
    /** Plans kept per session by default: a server or a batch job meets a few input shapes. */
    public static final int DEFAULT_MAX_PLANS = 8;

    /**
     * Every field. A {@code with…} method changes a private copy ({@link #with}); no instance is
     * changed after it is made, so SessionOptions stays immutable.
     */
    private static final class State implements Cloneable {
        Device device;
        boolean closesDevice;
        String deviceSpec;
        String binding;
        Precision precision = Precision.FP32;
        Set<Fusion> disabled = Set.of();
        int maxPlans = DEFAULT_MAX_PLANS;
        long maxPlanBytes;
        Map<String, String> kernels = Map.of();
        Map<String, String> tunedOverlay;

        State copy() {
            try {
                return (State) clone();
            } catch (CloneNotSupportedException e) {
                throw new AssertionError(e);
            }
        }
    }

    private final State s;

    private SessionOptions(State s) {
        this.s = s;
    }

    /** These options with {@code change} applied to a copy of their fields. */
    private SessionOptions with(Consumer<State> change) {
        State n = s.copy();
        change.accept(n);
        return new SessionOptions(n);
    }

    /** The default device, fp32, every fusion rule on, each kernel as tuned or the device's default. */
    public static SessionOptions defaults() {
        return new SessionOptions(new State());
    }

    /** Runs on an already open device, shared with other sessions; the caller keeps and closes it. */
    public SessionOptions withDevice(Device d) {
        return with(n -> {
            n.device = d;
            n.closesDevice = false;
            n.deviceSpec = null;
        });
    }

    /** Runs on an open device that the session takes over: closing the session closes it. */
    public SessionOptions withOwnedDevice(Device d) {
        return with(n -> {
            n.device = d;
            n.closesDevice = true;
            n.deviceSpec = null;
        });
    }

    /** Opens the device {@code spec} names (see {@link Device#open}); the session owns and closes it. */
    public SessionOptions withDevice(String spec) {
        return with(n -> {
            n.device = null;
            n.closesDevice = false;
            n.deviceSpec = spec;
        });
    }

    /** The Java OpenCL binding: "jocl", "lwjgl", or null for the default. */
    public SessionOptions withBinding(String name) {
        return with(n -> n.binding = name);
    }

    /**
     * Lets the device decide: the fastest precision that passed selftest on it ({@link
     * PrecisionRecord#autoPrecision}); ignored with {@link #withDevice(Device)}.
     */
    public SessionOptions withAutoPrecision() {
        return with(n -> n.precision = null);
    }

    /** Whether {@link #withAutoPrecision()} was asked for. */
    public boolean autoPrecision() {
        return s.precision == null;
    }

    /** Storage precision of weights and activations (ignored with {@link #withDevice(Device)}: the device's holds). */
    public SessionOptions withPrecision(Precision p) {
        if (p == null)
            throw new IllegalArgumentException("precision is null (withAutoPrecision() lets the device decide)");
        return with(n -> n.precision = p);
    }

    /** Switches the given fusion rules off ({@link Fusion#all()}: the unfused graph). */
    public SessionOptions withoutFusion(Collection<Fusion> rules) {
        Set<Fusion> d = EnumSet.noneOf(Fusion.class);
        d.addAll(rules);
        return with(n -> n.disabled = Collections.unmodifiableSet(d));
    }

    /**
     * Bounds the plans a session keeps, one per input shape [batch, 3, h, w]: at most
     * {@code maxPlans}, holding at most {@code maxDeviceBytes} of activations together (0: a
     * quarter of the device's global memory). The least recently used plans are released first;
     * the plan in use is always kept, and a released shape is built again when it comes back.
     * Default: {@value #DEFAULT_MAX_PLANS} plans, a quarter of the device's memory.
     */
    public SessionOptions withPlanCache(int maxPlans, long maxDeviceBytes) {
        if (maxPlans < 1) throw new IllegalArgumentException("maxPlans must be at least 1, got " + maxPlans);
        if (maxDeviceBytes < 0)
            throw new IllegalArgumentException("maxDeviceBytes must be >= 0, got " + maxDeviceBytes);
        return with(n -> {
            n.maxPlans = maxPlans;
            n.maxPlanBytes = maxDeviceBytes;
        });
    }

    /**
     * Forces a kernel family's choice on every op of the family, over what {@code edgecl tune}
     * measured and the device's default: {@code family} one of {@link #kernelFamilies()},
     * {@code value} as {@code edgecl devices -v} and {@code --help} list (e.g. "gemm", "panel:8x16";
     * "attention", "direct"). A value the device cannot run falls back to the family's default
     * where the family says so (the vector kernels on channels they do not divide).
     *
     * @throws io.edgecl.EdgeClException for an unknown family or value, naming what is accepted
     */
    public SessionOptions withKernel(String family, String value) {
        KernelFamily<?> f = KernelFamily.byName(family);
        Map<String, String> k = new LinkedHashMap<>(s.kernels);
        k.put(f.name(), f.format(f.parse(value)));
        return with(n -> n.kernels = Collections.unmodifiableMap(k));
    }

    /** The forced kernel choices, by family (unmodifiable). */
    public Map<String, String> kernels() {
        return s.kernels;
    }

    /** The kernel families {@link #withKernel} takes, with the values each accepts, in words. */
    public static Map<String, String> kernelFamilies() {
        Map<String, String> out = new LinkedHashMap<>();
        for (KernelFamily<?> f : KernelFamily.ALL) out.put(f.name(), f.usage());
        return out;
    }

    /**
     * Tuned choices that replace the device's tuning file for this session ({@link Tuner}
     * measures candidates in an overlay of its own and saves only at the end).
     */
    SessionOptions withTunedOverlay(Map<String, String> tuned) {
        Map<String, String> t = Map.copyOf(tuned);
        return with(n -> n.tunedOverlay = t);
    }

    /** The overlay of {@link #withTunedOverlay}, or null: the device's tuning file. */
    Map<String, String> tunedOverlay() {
        return s.tunedOverlay;
    }

    /** The most plans a session keeps (see {@link #withPlanCache}). */
    public int maxPlans() {
        return s.maxPlans;
    }

    /** The most activation bytes a session's plans hold together; 0: a quarter of the device's memory. */
    public long maxPlanBytes() {
        return s.maxPlanBytes;
    }

    public Device device() {
        return s.device;
    }

    /** Whether the session closes {@link #device()} when it closes. */
    public boolean closesDevice() {
        return s.closesDevice;
    }

    public String deviceSpec() {
        return s.deviceSpec;
    }

    public String binding() {
        return s.binding;
    }

    public Precision precision() {
        return s.precision;
    }

    /** The fusion rules switched off (unmodifiable). */
    public Set<Fusion> disabledFusion() {
        return Collections.unmodifiableSet(s.disabled);
    }
}
