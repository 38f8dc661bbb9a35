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

    /** PoCL's platform (its CPU driver, or its other devices). */
    public boolean isPocl() {
        return platformName.contains("Portable Computing Language");
    }

    /** A CPU device: launch geometry is cut for its cores ({@link DeviceClass} keys kernel defaults). */
    public boolean isCpu() {
        return type.contains("CPU");
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
        return String.format(
                Locale.ROOT,
                "%s  %s [%s] %s, %d CU, %s, OpenCL C %s, driver %s",
                id(),
                name,
                type,
                vendor,
                computeUnits,
                human(globalMemBytes),
                String.format(Locale.ROOT, "%.1f", openclC()),
                driverVersion);
    }

    /**
     * Lowers the reported limits, to run as a smaller device would: "wg=64,local=16k,alloc=128m,
     * global=1g,type=gpu,fp16=off" (any subset; sizes take k, m or g; type=gpu selects the kernel
     * variants GPUs get). Kernels then pick their work-groups and tiles, and allocations are
     * refused, as on that device. Set by -Dedgecl.device.limits.
     */
    public static final String LIMITS_PROPERTY = "edgecl.device.limits";

    public DeviceInfo limitedTo(String spec) {
        if (spec == null || spec.isBlank()) return this;
        long wg = maxWorkGroupSize, local = localMemBytes, alloc = maxAllocBytes, global = globalMemBytes;
        Set<String> ext = extensions;
        String kind = type;
        for (String part : spec.split(",")) {
            String[] kv = part.trim().split("=", 2);
            if (kv.length != 2)
                throw new io.edgecl.EdgeClException("-D" + LIMITS_PROPERTY + ": '" + part + "' is not KEY=VALUE");
            String k = kv[0].trim(), v = kv[1].trim();
            switch (k) {
                case "wg" -> wg = Math.min(wg, size(k, v));
                case "local" -> local = Math.min(local, size(k, v));
                case "alloc" -> alloc = Math.min(alloc, size(k, v));
                case "global" -> global = Math.min(global, size(k, v));
                case "type" -> {
                    if (!v.equalsIgnoreCase("gpu") && !v.equalsIgnoreCase("cpu")) {
                        throw new io.edgecl.EdgeClException("-D" + LIMITS_PROPERTY + ": type takes gpu or cpu");
                    }
                    kind = v.toUpperCase(Locale.ROOT);
                }
                case "fp16" -> {
                    if (!v.equals("off"))
                        throw new io.edgecl.EdgeClException("-D" + LIMITS_PROPERTY + ": fp16 takes off");
                    ext = new java.util.TreeSet<>(extensions);
                    ext.remove("cl_khr_fp16");
                }
                default ->
                    throw new io.edgecl.EdgeClException("-D" + LIMITS_PROPERTY + ": unknown limit '" + k
                            + "' (wg, local, alloc, global, type, fp16)");
            }
        }
        return new DeviceInfo(
                platformIndex,
                deviceIndex,
                platformName,
                platformVersion,
                name,
                vendor,
                kind,
                version,
                driverVersion,
                openclCVersion,
                computeUnits,
                maxClockMhz,
                wg,
                local,
                global,
                Math.min(alloc, global),
                imageSupport,
                ext,
                floatVectorWidth);
    }

    private static long size(String key, String v) {
        String s = v.toLowerCase(Locale.ROOT);
        long mult = 1;
        if (s.endsWith("k")) mult = 1L << 10;
        else if (s.endsWith("m")) mult = 1L << 20;
        else if (s.endsWith("g")) mult = 1L << 30;
        if (mult > 1) s = s.substring(0, s.length() - 1);
        try {
            long n = Long.parseLong(s) * mult;
            if (n < 1) throw new NumberFormatException();
            return n;
        } catch (NumberFormatException e) {
            throw new io.edgecl.EdgeClException(
                    "-D" + LIMITS_PROPERTY + ": " + key + "=" + v + " is not a positive size");
        }
    }

    public static String human(long bytes) {
        return io.edgecl.Bytes.human(bytes);
    }
}
