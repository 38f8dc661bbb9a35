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

    @Option(names = "--precision", paramLabel = "fp32|fp16-storage", defaultValue = "fp32",
            description = "Storage of activations and weights: fp32 (default, matches PyTorch), or fp16-storage "
                    + "(half the memory and traffic, fp32 arithmetic).")
    String precision;

    /** Session options for the chosen device, precision and binding, with {@code disabled} fusion rules off. */
    public SessionOptions options(Set<FusionRule> disabled) {
        return SessionOptions.defaults().withDevice(device).withBinding(binding)
                .withPrecision(Precision.parse(precision)).withoutFusion(disabled);
    }

    /** Opens the chosen device. */
    public Device open() {
        return Device.open(device, binding, Precision.parse(precision));
    }

    /** Every OpenCL device with {@code --device all}, else the one device {@link #open()} picks. */
    public List<Device> openAll() {
        if (!"all".equalsIgnoreCase(device)) return List.of(open());
        return Device.openAll(binding, Precision.parse(precision));
    }

    public String binding() {
        return binding;
    }

    public String device() {
        return device;
    }
}
