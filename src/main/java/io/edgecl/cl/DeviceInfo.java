package io.edgecl.cl;

import java.util.Locale;
import java.util.Set;

/** Capabilities of one device, read once when it is discovered. */
public record DeviceInfo(
        int platformIndex,
        int deviceIndex,
        String platformName,
        String platformVersion,
        String name,
        String vendor,
        String type,
        String version,
        String driverVersion,
        String openclCVersion,
        int computeUnits,
        int maxClockMhz,
        long maxWorkGroupSize,
        long localMemBytes,
        long globalMemBytes,
        long maxAllocBytes,
        boolean imageSupport,
        Set<String> extensions,
        int floatVectorWidth) {

    /** "platform:device", the form {@code --device} accepts. */
    public String id() {
        return platformIndex + ":" + deviceIndex;
    }

    /** The device's preferred float vector width (CL_DEVICE_PREFERRED_VECTOR_WIDTH_FLOAT), 1 to 16. */
    public int preferredFloatWidth() {
        return Math.max(1, Math.min(16, floatVectorWidth));
    }

    public boolean fp16() {
        return extensions.contains("cl_khr_fp16");
    }

    public boolean isGpu() {
        return type.contains("GPU");
    }

    /** Major.minor of the OpenCL C the device compiles, e.g. 1.2 or 3.0. */
    public double openclC() {
        // "OpenCL C 1.2 pocl" → 1.2
        String[] parts = openclCVersion.split(" ");
        for (String p : parts) {
            if (p.matches("\\d+\\.\\d+.*")) {
                try {
                    return Double.parseDouble(p.replaceAll("[^0-9.].*", ""));
                } catch (NumberFormatException ignored) {
                    // fall through
                }
            }
        }
        return 1.2;
    }

    public String summary() {
        return String.format(Locale.ROOT, "%s  %s [%s] %s, %d CU, %s, OpenCL C %s, driver %s", id(), name, type,
                vendor, computeUnits, human(globalMemBytes), String.format(Locale.ROOT, "%.1f", openclC()),
                driverVersion);
    }

    public static String human(long bytes) {
        return io.edgecl.Bytes.human(bytes);
    }
}
