package io.edgecl.api;

import io.edgecl.graph.FusionRule;
import io.edgecl.tensor.Precision;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

/**
 * How to open a {@link Session}: on which device, in which storage precision, with which fusion
 * rules off. Immutable; each {@code with…} method returns a changed copy.
 *
 * <pre>{@code
 * SessionOptions o = SessionOptions.defaults().withDevice("gpu").withPrecision(Precision.FP16_STORAGE);
 * }</pre>
 */
public final class SessionOptions {
    private final Device device;
    private final boolean closesDevice;
    private final String deviceSpec;
    private final String binding;
    private final Precision precision;
    private final Set<FusionRule> disabled;
    private final int maxPlans;
    private final long maxPlanBytes;

    /** Plans kept per session by default: a server or a batch job meets a few input shapes. */
    public static final int DEFAULT_MAX_PLANS = 8;

    private SessionOptions(Device device, boolean closesDevice, String deviceSpec, String binding,
                           Precision precision, Set<FusionRule> disabled) {
        this(device, closesDevice, deviceSpec, binding, precision, disabled, DEFAULT_MAX_PLANS, 0);
    }

    private SessionOptions(Device device, boolean closesDevice, String deviceSpec, String binding,
                           Precision precision, Set<FusionRule> disabled, int maxPlans, long maxPlanBytes) {
        this.device = device;
        this.closesDevice = closesDevice;
        this.deviceSpec = deviceSpec;
        this.binding = binding;
        this.precision = precision;
        this.disabled = disabled;
        this.maxPlans = maxPlans;
        this.maxPlanBytes = maxPlanBytes;
    }

    /** The default device, fp32, every fusion rule on. */
    public static SessionOptions defaults() {
        return new SessionOptions(null, false, null, null, Precision.FP32, EnumSet.noneOf(FusionRule.class));
    }

    /** Runs on an already open device, shared with other sessions; the caller keeps and closes it. */
    public SessionOptions withDevice(Device d) {
        return new SessionOptions(d, false, null, binding, precision, disabled, maxPlans, maxPlanBytes);
    }

    /** Runs on an open device that the session takes over: closing the session closes it. */
    public SessionOptions withOwnedDevice(Device d) {
        return new SessionOptions(d, true, null, binding, precision, disabled, maxPlans, maxPlanBytes);
    }

    /** Opens the device {@code spec} names (see {@link Device#open}); the session owns and closes it. */
    public SessionOptions withDevice(String spec) {
        return new SessionOptions(null, false, spec, binding, precision, disabled, maxPlans, maxPlanBytes);
    }

    /** The Java OpenCL binding: "jocl", "lwjgl", or null for the default. */
    public SessionOptions withBinding(String name) {
        return new SessionOptions(device, closesDevice, deviceSpec, name, precision, disabled, maxPlans, maxPlanBytes);
    }

    /**
     * Lets the device decide: the fastest precision that passed selftest on it ({@link
     * SelfTest#autoPrecision}); ignored with {@link #withDevice(Device)}.
     */
    public SessionOptions withAutoPrecision() {
        return new SessionOptions(device, closesDevice, deviceSpec, binding, null, disabled, maxPlans, maxPlanBytes);
    }

    /** Whether {@link #withAutoPrecision()} was asked for. */
    public boolean autoPrecision() {
        return precision == null;
    }

    /** Storage precision of weights and activations (ignored with {@link #withDevice(Device)}: the device's holds). */
    public SessionOptions withPrecision(Precision p) {
        if (p == null) throw new IllegalArgumentException("precision is null (withAutoPrecision() lets the device decide)");
        return new SessionOptions(device, closesDevice, deviceSpec, binding, p, disabled, maxPlans, maxPlanBytes);
    }

    /** Switches the given fusion rules off ({@link FusionRule#all()}: the unfused graph). */
    public SessionOptions withoutFusion(Collection<FusionRule> rules) {
        Set<FusionRule> d = EnumSet.noneOf(FusionRule.class);
        d.addAll(rules);
        return new SessionOptions(device, closesDevice, deviceSpec, binding, precision, d, maxPlans, maxPlanBytes);
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
        if (maxDeviceBytes < 0) throw new IllegalArgumentException("maxDeviceBytes must be >= 0, got " + maxDeviceBytes);
        return new SessionOptions(device, closesDevice, deviceSpec, binding, precision, disabled, maxPlans, maxDeviceBytes);
    }

    /** The most plans a session keeps (see {@link #withPlanCache}). */
    public int maxPlans() {
        return maxPlans;
    }

    /** The most activation bytes a session's plans hold together; 0: a quarter of the device's memory. */
    public long maxPlanBytes() {
        return maxPlanBytes;
    }

    public Device device() {
        return device;
    }

    /** Whether the session closes {@link #device()} when it closes. */
    public boolean closesDevice() {
        return closesDevice;
    }

    public String deviceSpec() {
        return deviceSpec;
    }

    public String binding() {
        return binding;
    }

    public Precision precision() {
        return precision;
    }

    /** The fusion rules switched off (unmodifiable). */
    public Set<FusionRule> disabledFusion() {
        return Collections.unmodifiableSet(disabled);
    }
}
