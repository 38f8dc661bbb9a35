package io.edgecl.ops;

import io.edgecl.cl.DeviceInfo;
import java.util.Map;

/**
 * The 1-D work-group size of a kernel with {@code reqd_work_group_size(MACRO, 1, 1)}: defined
 * once here, passed to the build as {@code -D MACRO=size} and used as the launch's local size,
 * so the two cannot disagree. The kernel file keeps an {@code #ifndef} default for builds
 * without it. Sizes are powers of two (the kernels reduce in halving steps).
 */
public record WorkGroup(String macro, int size) {
    public WorkGroup {
        if (size < 1 || Integer.bitCount(size) != 1) throw new IllegalArgumentException(macro + " = " + size);
    }

    /** {@code preferred} lowered to the largest power of two the device's work-groups allow. */
    public static WorkGroup of(String macro, int preferred, DeviceInfo d) {
        long max = Math.max(1, Math.min(preferred, d.maxWorkGroupSize()));
        return new WorkGroup(macro, Integer.highestOneBit((int) max));
    }

    public Map<String, String> defines() {
        return Map.of(macro, String.valueOf(size));
    }
}
