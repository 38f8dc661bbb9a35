package io.edgecl.cli;

import io.edgecl.cl.ClContext;
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

    public ClContext open() {
        return ClContext.open(binding, device);
    }

    public String binding() {
        return binding;
    }

    public String device() {
        return device;
    }
}
