package io.edgecl.api;

import java.util.List;
import java.util.Map;

/**
 * What a device is and can do, as its driver reports it, with the class its kernel defaults are
 * keyed by ({@link #deviceClass}: kind/vendor/architecture/model, e.g. "gpu/arm/valhall/mali-g78"
 * or "cpu/amd/skylake-avx512") and the default of each kernel family on that class.
 *
 * @param id               "platform:device", the form {@code --device} takes
 * @param type             OpenCL's device type: "CPU", "GPU", ...
 * @param openclC          the OpenCL C version the device compiles, e.g. 1.2 or 3.0
 * @param preferredFloatWidth the preferred float vector width, 1 to 16
 * @param kernelDefaults   each kernel family's default here and the table row it came from
 */
public record DeviceDescription(
        String id,
        String name,
        String vendor,
        String type,
        String platform,
        String driver,
        double openclC,
        int computeUnits,
        int clockMhz,
        long globalMemBytes,
        long localMemBytes,
        long maxAllocBytes,
        long maxWorkGroupSize,
        int preferredFloatWidth,
        boolean fp16,
        List<String> extensions,
        String deviceClass,
        Map<String, String> kernelDefaults) {}
