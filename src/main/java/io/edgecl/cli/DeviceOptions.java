package io.edgecl.cli;

import io.edgecl.cl.Bindings;
import io.edgecl.cl.ClContext;
import io.edgecl.cl.ClDevice;
import io.edgecl.cl.Devices;
import io.edgecl.tensor.Precision;
import java.util.ArrayList;
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

    public ClContext open() {
        Precision p = Precision.parse(precision);
        ClContext ctx = ClContext.open(binding, device);
        ctx.setPrecision(p);
        return ctx;
    }

    /** One context per OpenCL device with {@code --device all}, else the one device {@link #open()} picks. */
    public List<ClContext> openAll() {
        if (!"all".equalsIgnoreCase(device)) return List.of(open());
        Precision p = Precision.parse(precision);
        List<ClContext> out = new ArrayList<>();
        for (ClDevice d : Devices.list(Bindings.create(binding))) {
            ClContext ctx = new ClContext(d);
            ctx.setPrecision(p);
            out.add(ctx);
        }
        return out;
    }

    public String binding() {
        return binding;
    }

    public String device() {
        return device;
    }
}
