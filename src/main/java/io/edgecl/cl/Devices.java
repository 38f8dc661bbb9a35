package io.edgecl.cl;

import io.edgecl.EdgeClException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;

/** Device discovery and the {@code --device} choice. */
public final class Devices {
    /** Environment variable naming the default device (same syntax as {@code --device}). */
    public static final String ENV = "EDGECL_DEVICE";

    private Devices() {}

    /** Every device of every platform, in platform order. */
    public static List<ClDevice> list(ClBinding cl) {
        List<ClDevice> out = new ArrayList<>();
        List<ClHandle.Platform> platforms = cl.platforms();
        for (int p = 0; p < platforms.size(); p++) {
            ClHandle.Platform plat = platforms.get(p);
            String pname = cl.platformString(plat, ClConst.PLATFORM_NAME);
            String pver = cl.platformString(plat, ClConst.PLATFORM_VERSION);
            List<ClHandle.Device> devs = cl.devices(plat);
            for (int d = 0; d < devs.size(); d++) {
                out.add(new ClDevice(
                        cl,
                        plat,
                        devs.get(d),
                        read(cl, p, d, pname, pver, devs.get(d))
                                .limitedTo(System.getProperty(DeviceInfo.LIMITS_PROPERTY, ""))));
            }
        }
        if (out.isEmpty()) {
            throw new NoOpenClException("platforms exist but expose no device", null);
        }
        return out;
    }

    private static DeviceInfo read(ClBinding cl, int p, int d, String pname, String pver, ClHandle.Device dev) {
        long type = cl.deviceLong(dev, ClConst.DEVICE_TYPE);
        String t = (type & ClConst.DEVICE_TYPE_GPU) != 0
                ? "GPU"
                : (type & ClConst.DEVICE_TYPE_CPU) != 0
                        ? "CPU"
                        : (type & ClConst.DEVICE_TYPE_ACCELERATOR) != 0 ? "ACCELERATOR" : "OTHER";
        String cver;
        try {
            cver = cl.deviceString(dev, ClConst.DEVICE_OPENCL_C_VERSION);
        } catch (ClException e) {
            cver = "OpenCL C 1.0"; // OpenCL 1.0 devices lack the query
        }
        return new DeviceInfo(
                p,
                d,
                pname,
                pver,
                cl.deviceString(dev, ClConst.DEVICE_NAME),
                cl.deviceString(dev, ClConst.DEVICE_VENDOR),
                t,
                cl.deviceString(dev, ClConst.DEVICE_VERSION),
                cl.deviceString(dev, ClConst.DRIVER_VERSION),
                cver,
                (int) cl.deviceLong(dev, ClConst.DEVICE_MAX_COMPUTE_UNITS),
                (int) cl.deviceLong(dev, ClConst.DEVICE_MAX_CLOCK_FREQUENCY),
                cl.deviceLong(dev, ClConst.DEVICE_MAX_WORK_GROUP_SIZE),
                cl.deviceLong(dev, ClConst.DEVICE_LOCAL_MEM_SIZE),
                cl.deviceLong(dev, ClConst.DEVICE_GLOBAL_MEM_SIZE),
                cl.deviceLong(dev, ClConst.DEVICE_MAX_MEM_ALLOC_SIZE),
                cl.deviceLong(dev, ClConst.DEVICE_IMAGE_SUPPORT) != 0,
                new LinkedHashSet<>(Arrays.asList(
                        cl.deviceString(dev, ClConst.DEVICE_EXTENSIONS).split("\\s+"))),
                (int) cl.deviceLong(dev, ClConst.DEVICE_PREFERRED_VECTOR_WIDTH_FLOAT));
    }

    /**
     * Picks a device: {@code spec} is "P:D" (platform and device index), "N" (N-th device
     * overall), or a case-insensitive substring of the device, vendor or platform name; null or
     * blank means {@value #ENV}, else the first GPU, else the first device.
     */
    public static ClDevice choose(ClBinding cl, String spec) {
        List<ClDevice> all = list(cl);
        String s = spec;
        if (s == null || s.isBlank()) s = System.getenv(ENV);
        if (s == null || s.isBlank()) {
            for (ClDevice d : all) {
                if (d.info().isGpu()) return d;
            }
            return all.get(0);
        }
        s = s.trim();
        if (s.matches("\\d+:\\d+")) {
            String[] pd = s.split(":");
            int p = Integer.parseInt(pd[0]);
            int d = Integer.parseInt(pd[1]);
            for (ClDevice dev : all) {
                if (dev.info().platformIndex() == p && dev.info().deviceIndex() == d) return dev;
            }
            throw new EdgeClException("no OpenCL device " + s + "; available: " + ids(all));
        }
        if (s.matches("\\d+")) {
            int i = Integer.parseInt(s);
            if (i < all.size()) return all.get(i);
            throw new EdgeClException(
                    "no OpenCL device " + s + " (there are " + all.size() + "); available: " + ids(all));
        }
        String needle = s.toLowerCase(Locale.ROOT);
        for (ClDevice d : all) {
            DeviceInfo i = d.info();
            if ((i.name() + " " + i.vendor() + " " + i.platformName() + " " + i.type())
                    .toLowerCase(Locale.ROOT)
                    .contains(needle)) {
                return d;
            }
        }
        throw new EdgeClException("no OpenCL device matches '" + s + "'; available: " + ids(all));
    }

    private static String ids(List<ClDevice> all) {
        StringBuilder b = new StringBuilder();
        for (ClDevice d : all) {
            if (b.length() > 0) b.append("; ");
            b.append(d.info().id()).append(' ').append(d.info().name());
        }
        return b.toString();
    }
}
