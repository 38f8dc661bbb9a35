package io.edgecl.api;

import io.edgecl.cl.Bindings;
import io.edgecl.cl.ClContext;
import io.edgecl.cl.ClDevice;
import io.edgecl.cl.DeviceInfo;
import io.edgecl.cl.Devices;
import io.edgecl.profile.DevicePeak;
import io.edgecl.tensor.Precision;
import java.util.ArrayList;
import java.util.List;

/**
 * One OpenCL device opened for inference: its context, queue and compiled programs, and the
 * storage precision of everything that runs on it. Several sessions may share a device (their
 * programs are built once); the device outlives them and closing it closes them first.
 *
 * <p>Not to be used from several threads at once except through the sessions on it, which
 * serialise their own work.
 */
public final class Device implements AutoCloseable {
    final ClContext ctx;
    private final boolean owns;

    private Device(ClContext ctx, boolean owns) {
        this.ctx = ctx;
        this.owns = owns;
    }

    /**
     * Opens a device. {@code spec} chooses it: "P:D" (platform:device), "N" (the N-th device), a
     * name substring, or null for the default ($EDGECL_DEVICE, else the first GPU, else the first
     * device). {@code binding} is "jocl", "lwjgl" or null (-Dedgecl.binding, $EDGECL_BINDING, else
     * jocl); {@code precision} null means {@link Precision#FP32}.
     */
    public static Device open(String spec, String binding, Precision precision) {
        ClContext ctx = ClContext.open(binding, spec);
        ctx.setPrecision(precision == null ? Precision.FP32 : precision);
        return new Device(ctx, true);
    }

    /**
     * Opens a device in the precision {@link SelfTest#autoPrecision} picks for it (the fastest mode
     * that passed selftest there; the first call on a device may run that check).
     */
    public static Device openAuto(String spec, String binding, java.util.function.Consumer<String> note) {
        Device d = open(spec, binding, Precision.FP32);
        try {
            d.ctx.setPrecision(SelfTest.autoPrecision(d, note));
            return d;
        } catch (RuntimeException e) {
            d.close();
            throw e;
        }
    }

    /** The default device in fp32. */
    public static Device open() {
        return open(null, null, null);
    }

    /** Every OpenCL device the binding finds, each opened with {@code precision}. */
    public static List<Device> openAll(String binding, Precision precision) {
        List<Device> out = new ArrayList<>();
        try {
            for (ClDevice d : Devices.list(Bindings.create(binding))) {
                ClContext ctx = new ClContext(d);
                ctx.setPrecision(precision == null ? Precision.FP32 : precision);
                out.add(new Device(ctx, true));
            }
        } catch (RuntimeException e) {
            for (Device d : out) d.close();
            throw e;
        }
        return out;
    }

    /**
     * A device over a context the caller opened and keeps: closing this handle leaves the context
     * open. For programs that manage OpenCL contexts themselves (and for tests).
     */
    public static Device wrap(ClContext ctx) {
        return new Device(ctx, false);
    }

    /** The device's name as its driver reports it. */
    public String name() {
        return ctx.info().name();
    }

    /** One line: name, type, compute units, memory, OpenCL version. */
    public String summary() {
        return ctx.info().summary();
    }

    /** Compute units (cores on a CPU runtime) as the driver reports them. */
    public int computeUnits() {
        return ctx.info().computeUnits();
    }

    /** The clock the driver reports, in MHz (a base clock; CPUs may boost above it), 0 when unknown. */
    public int clockMhz() {
        return ctx.info().maxClockMhz();
    }

    /** The device's capabilities (limits, extensions, driver). */
    public DeviceInfo info() {
        return ctx.info();
    }

    /** The Java OpenCL binding in use ("jocl" or "lwjgl"). */
    public String binding() {
        return ctx.cl().name();
    }

    public Precision precision() {
        return ctx.precision();
    }

    /** Programs built or loaded so far, how many came from the on-disk cache, and the time spent. */
    public ProgramStats programs() {
        return new ProgramStats(ctx.programCount(), ctx.programsFromCache(), ctx.programNanos() / 1e6);
    }

    /** Programs used by this device so far. */
    public record ProgramStats(int programs, int fromCache, double buildMs) {}

    /** The device's measured fp32 peak and memory bandwidth (measured once per device and driver, then cached). */
    public DevicePeak peak() {
        ctx.checkOpen();
        return DevicePeak.of(ctx);
    }

    public boolean isOpen() {
        return ctx.isOpen();
    }

    /** Closes the sessions on this device, then the device (unless {@link #wrap wrapped}). Idempotent. */
    @Override
    public void close() {
        if (owns) ctx.close();
    }
}
