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

    private SessionOptions(Device device, boolean closesDevice, String deviceSpec, String binding,
                           Precision precision, Set<FusionRule> disabled) {
        this.device = device;
        this.closesDevice = closesDevice;
        this.deviceSpec = deviceSpec;
        this.binding = binding;
        this.precision = precision;
        this.disabled = disabled;
    }

    /** The default device, fp32, every fusion rule on. */
    public static SessionOptions defaults() {
        return new SessionOptions(null, false, null, null, Precision.FP32, EnumSet.noneOf(FusionRule.class));
    }

    /** Runs on an already open device, shared with other sessions; the caller keeps and closes it. */
    public SessionOptions withDevice(Device d) {
        return new SessionOptions(d, false, null, binding, precision, disabled);
    }

    /** Runs on an open device that the session takes over: closing the session closes it. */
    public SessionOptions withOwnedDevice(Device d) {
        return new SessionOptions(d, true, null, binding, precision, disabled);
    }

    /** Opens the device {@code spec} names (see {@link Device#open}); the session owns and closes it. */
    public SessionOptions withDevice(String spec) {
        return new SessionOptions(null, false, spec, binding, precision, disabled);
    }

    /** The Java OpenCL binding: "jocl", "lwjgl", or null for the default. */
    public SessionOptions withBinding(String name) {
        return new SessionOptions(device, closesDevice, deviceSpec, name, precision, disabled);
    }

    /**
     * Lets the device decide: the fastest precision that passed selftest on it ({@link
     * SelfTest#autoPrecision}); ignored with {@link #withDevice(Device)}.
     */
    public SessionOptions withAutoPrecision() {
        return new SessionOptions(device, closesDevice, deviceSpec, binding, null, disabled);
    }

    /** Whether {@link #withAutoPrecision()} was asked for. */
    public boolean autoPrecision() {
        return precision == null;
    }

    /** Storage precision of weights and activations (ignored with {@link #withDevice(Device)}: the device's holds). */
    public SessionOptions withPrecision(Precision p) {
        if (p == null) throw new IllegalArgumentException("precision is null (withAutoPrecision() lets the device decide)");
        return new SessionOptions(device, closesDevice, deviceSpec, binding, p, disabled);
    }

    /** Switches the given fusion rules off ({@link FusionRule#all()}: the unfused graph). */
    public SessionOptions withoutFusion(Collection<FusionRule> rules) {
        Set<FusionRule> d = EnumSet.noneOf(FusionRule.class);
        d.addAll(rules);
        return new SessionOptions(device, closesDevice, deviceSpec, binding, precision, d);
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
