package io.edgecl.api;

import io.edgecl.cl.Bindings;
import io.edgecl.cl.ClContext;
import io.edgecl.cl.ClDevice;
import io.edgecl.cl.DeviceClass;
import io.edgecl.cl.DeviceInfo;
import io.edgecl.cl.Devices;
import io.edgecl.cl.PoclEnvironment;
import io.edgecl.ops.KernelDefaults;
import io.edgecl.profile.DevicePeak;
import io.edgecl.tensor.Precision;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

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
     * Opens a device in the precision {@link PrecisionRecord#autoPrecision} picks for it (the fastest mode
     * that passed selftest there; the first call on a device may run that check).
     */
    public static Device openAuto(String spec, String binding, java.util.function.Consumer<String> note) {
        Device d = open(spec, binding, Precision.FP32);
        try {
            d.ctx.setPrecision(PrecisionRecord.autoPrecision(d, note));
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

    /** Bytes of device memory this device's buffers hold now (weights, activations, scratch of every session on it). */
    public long liveBytes() {
        return ctx.liveBytes();
    }

    /** Compute units (cores on a CPU runtime) as the driver reports them. */
    public int computeUnits() {
        return ctx.info().computeUnits();
    }

    /** The clock the driver reports, in MHz (a base clock; CPUs may boost above it), 0 when unknown. */
    public int clockMhz() {
        return ctx.info().maxClockMhz();
    }

    /** What the device is and can do: limits, extensions, driver, its class and kernel defaults. */
    public DeviceDescription description() {
        DeviceInfo i = ctx.info();
        DeviceClass c = DeviceClass.of(i);
        return new DeviceDescription(
                i.id(),
                i.name(),
                i.vendor(),
                i.type(),
                i.platformName(),
                i.driverVersion(),
                i.openclC(),
                i.computeUnits(),
                i.maxClockMhz(),
                i.globalMemBytes(),
                i.localMemBytes(),
                i.maxAllocBytes(),
                i.maxWorkGroupSize(),
                i.preferredFloatWidth(),
                i.fp16(),
                List.copyOf(new java.util.TreeSet<>(i.extensions())),
                c.toString(),
                KernelDefaults.describe(c));
    }

    /**
     * On PoCL's CPU device, the microseconds its workers poll for the next launch before they
     * sleep: {@code tools/pocl-spin.c}'s library, which {@code ./edgecl} preloads, is in this
     * process (0: with its polling switched off), or -1: it is not, and the workers sleep as soon
     * as they are idle. Empty on other devices.
     */
    public OptionalLong poclWorkerPollMicros() {
        DeviceInfo i = ctx.info();
        if (!i.isCpu() || !i.isPocl()) return OptionalLong.empty();
        return OptionalLong.of(PoclEnvironment.workerPollMicros());
    }

    /** The Java OpenCL binding in use ("jocl" or "lwjgl"). */
    public String binding() {
        return ctx.cl().name();
    }

    public Precision precision() {
        return ctx.precision();
    }

    /**
     * What compiling has cost on this device so far: programs built, EdgeCL binary-cache hits and
     * milliseconds in the driver's build, plus the first launch of each kernel (where drivers such
     * as PoCL compile it), in total and per kernel file.
     */
    public ProgramStats programs() {
        io.edgecl.cl.ClContext.CompileBill b = ctx.compileBill();
        Map<String, FileStats> by = new java.util.TreeMap<>();
        b.byFile()
                .forEach((f, x) -> by.put(
                        f,
                        new FileStats(x.programs(), x.fromCache(), x.buildMs(), x.firstLaunches(), x.firstLaunchMs())));
        return new ProgramStats(
                b.binaryCache(),
                b.programs(),
                b.fromCache(),
                b.buildMs(),
                b.firstLaunches(),
                b.firstLaunchMs(),
                java.util.Collections.unmodifiableMap(by));
    }

    /**
     * The compile bill of a device. {@code binaryCache}: where compiled programs are kept between
     * runs, "edgecl" (EdgeCL's cache), "driver" (the driver's own, as PoCL's) or "off".
     * {@code firstLaunchMs}: the first launches of each kernel in each work-group shape, each timed
     * alone (it includes the kernel's run, microseconds, and a lazy driver's compile, seconds).
     */
    public record ProgramStats(
            String binaryCache,
            int programs,
            int fromCache,
            double buildMs,
            int firstLaunches,
            double firstLaunchMs,
            Map<String, FileStats> byFile) {
        /** buildMs + firstLaunchMs. */
        public double totalMs() {
            return buildMs + firstLaunchMs;
        }

        /** As JSON-ready maps: totals, then "by_file" with each kernel file's share. */
        public Map<String, Object> toMap() {
            Map<String, Object> m = new java.util.LinkedHashMap<>();
            m.put("binary_cache", binaryCache);
            m.put("programs", programs);
            m.put("programs_from_cache", fromCache);
            m.put("build_ms", round(buildMs));
            m.put("first_launches", firstLaunches);
            m.put("first_launch_ms", round(firstLaunchMs));
            m.put("total_ms", round(totalMs()));
            Map<String, Object> files = new java.util.LinkedHashMap<>();
            byFile.forEach((f, x) -> {
                Map<String, Object> e = new java.util.LinkedHashMap<>();
                e.put("programs", x.programs());
                e.put("programs_from_cache", x.fromCache());
                e.put("build_ms", round(x.buildMs()));
                e.put("first_launches", x.firstLaunches());
                e.put("first_launch_ms", round(x.firstLaunchMs()));
                files.put(f, e);
            });
            m.put("by_file", files);
            return m;
        }

        /** One line: "21 programs (0 from cache), build 4012 ms, 35 first launches 9800 ms". */
        public String summary() {
            return String.format(
                    java.util.Locale.ROOT,
                    "%d programs (%d from EdgeCL's cache, binaries kept by %s), "
                            + "build %.0f ms, %d first launches %.0f ms",
                    programs,
                    fromCache,
                    binaryCache,
                    buildMs,
                    firstLaunches,
                    firstLaunchMs);
        }

        private static double round(double ms) {
            return Math.round(ms * 10) / 10.0;
        }
    }

    /** One kernel file's share of {@link ProgramStats}. */
    public record FileStats(int programs, int fromCache, double buildMs, int firstLaunches, double firstLaunchMs) {}

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
