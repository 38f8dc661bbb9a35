package io.edgecl.cli;

import io.edgecl.api.Device;
import io.edgecl.api.SessionOptions;
import io.edgecl.graph.FusionRule;
import io.edgecl.tensor.Precision;
import java.util.Set;

import io.edgecl.tensor.Precision;
import java.util.List;
import picocli.CommandLine.Option;

/** The device options every command that runs kernels shares. */
public final class DeviceOptions {
    @Option(names = {"-d", "--device"}, paramLabel = "DEVICE",
            description = "OpenCL device: P:D (platform:device), N (N-th device), or a name substring. "
                    + "Default: $EDGECL_DEVICE, else the first GPU, else the first device.")
    String device;

    @Option(names = "--binding", paramLabel = "jocl|lwjgl",
            description = "Java OpenCL binding (default: -Dedgecl.binding, $EDGECL_BINDING, else jocl).")
    String binding;

    @Option(names = "--precision", paramLabel = "fp32|fp16-storage|fp16|auto", defaultValue = "fp32",
            description = "fp32 (default, matches PyTorch); fp16-storage (half the memory and traffic, fp32 "
                    + "arithmetic); fp16 (also half arithmetic, on devices with cl_khr_fp16); auto (the fastest mode "
                    + "that passed `edgecl selftest` on this device: fp32 on CPUs).")
    String precision;

    private boolean auto() {
        return "auto".equalsIgnoreCase(precision);
    }

    /** Session options for the chosen device, precision and binding, with {@code disabled} fusion rules off. */
    public SessionOptions options(Set<FusionRule> disabled) {
        SessionOptions o = SessionOptions.defaults().withDevice(device).withBinding(binding).withoutFusion(disabled);
        return auto() ? o.withAutoPrecision() : o.withPrecision(Precision.parse(precision));
    }

    /** Opens the chosen device. */
    public Device open() {
        if (auto()) return Device.openAuto(device, binding, io.edgecl.Warnings::warn);
        return Device.open(device, binding, Precision.parse(precision));
    }

    /** Every OpenCL device with {@code --device all}, else the one device {@link #open()} picks. */
    public List<Device> openAll() {
        if (!"all".equalsIgnoreCase(device)) return List.of(open());
        if (auto()) throw new io.edgecl.EdgeClException("--precision auto is per device: name one with --device");
        return Device.openAll(binding, Precision.parse(precision));
    }

    public String binding() {
        return binding;
    }

    public String device() {
        return device;
    }
}
