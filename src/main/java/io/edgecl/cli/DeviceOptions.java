package io.edgecl.cli;

import io.edgecl.api.Device;
import io.edgecl.api.Fusion;
import io.edgecl.api.SessionOptions;
import io.edgecl.tensor.Precision;
import java.util.List;
import java.util.Set;
import picocli.CommandLine.Option;

/** The device options every command that runs kernels shares. */
public final class DeviceOptions {
    @Option(
            names = {"-d", "--device"},
            paramLabel = "DEVICE",
            description = "OpenCL device: P:D (platform:device), N (N-th device), or a name substring. "
                    + "Default: $EDGECL_DEVICE, else the first GPU, else the first device.")
    String device;

    @Option(
            names = "--binding",
            paramLabel = "jocl|lwjgl",
            description = "Java OpenCL binding (default: -Dedgecl.binding, $EDGECL_BINDING, else jocl).")
    String binding;

    @Option(
            names = "--precision",
            paramLabel = "fp32|fp16-storage|fp16|auto",
            defaultValue = "fp32",
            description = "fp32 (default, matches PyTorch); fp16-storage (half the memory and traffic, fp32 "
                    + "arithmetic); fp16 (also half arithmetic, on devices with cl_khr_fp16); auto (the fastest mode "
                    + "that passed `edgecl selftest` on this device: fp32 on CPUs).")
    String precision;

    @Option(
            names = "--kernel",
            paramLabel = "FAMILY=VALUE",
            description =
                    "Forces a kernel family's choice on every op of the family, over what `edgecl tune` "
                            + "measured and the device's default (repeatable): gemm=tiled|rows|block[:R]|block8[:R]|panel[:RxW]|panel:auto, "
                            + "conv=direct|panel[:RxW]|panel:auto, dwconv=vec|c4, dwconv-ln=vec|pixel|group, layernorm=vec|row, "
                            + "attention=direct|packed|blocked, xca=gemm|item|group, cascade=packed|split, "
                            + "expand-dw=fused|split, dw-gemm=fused|split, conv-input=nchw|nhwc, tiles=auto|wide|narrow, se-excite=auto|one|two.")
    java.util.List<String> kernels;

    private boolean auto() {
        return "auto".equalsIgnoreCase(precision);
    }

    /** Session options for the chosen device, precision and binding, with {@code disabled} fusion rules off. */
    public SessionOptions options(Set<Fusion> disabled) {
        SessionOptions o = SessionOptions.defaults()
                .withDevice(device)
                .withBinding(binding)
                .withoutFusion(disabled);
        if (kernels != null) {
            for (String k : kernels) {
                int eq = k.indexOf('=');
                if (eq <= 0) {
                    throw new io.edgecl.EdgeClException("--kernel " + k + ": use FAMILY=VALUE (families: "
                            + String.join(", ", SessionOptions.kernelFamilies().keySet()) + ")");
                }
                o = o.withKernel(k.substring(0, eq).trim(), k.substring(eq + 1).trim());
            }
        }
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
