package io.edgecl.ops;

import io.edgecl.cl.DeviceInfo;

/**
 * The geometry of a launch on a CPU runtime, where each work-group runs on one thread as a loop
 * over its work-items. Left to itself PoCL makes about one group per core; a thread that starts
 * late (woken after the other took its share, or placed on the same core) then leaves half the
 * device idle for the whole launch. Several groups per core let the threads share the work as
 * they arrive, and groups stay few enough that the per-group cost (about 0.5 µs on PoCL) does
 * not matter. Groups are cut along the outermost dimension first, so a group spans whole rows
 * of the inner ones (the GEMM's panels: the A rows it reads are reused from L1 across them).
 *
 * @param global the global size, rounded up to whole groups (the kernels skip items past the edge)
 * @param local  the work-group size
 */
public record CpuGrid(long[] global, long[] local) {
    /** Work-groups per compute unit. */
    static final int GROUPS_PER_UNIT = 4;

    /** The global size {@code dims} (1 to 3 dimensions) in about {@link #GROUPS_PER_UNIT} groups per compute unit. */
    public static CpuGrid of(DeviceInfo d, long... dims) {
        return withGroups(d, GROUPS_PER_UNIT, dims);
    }

    /**
     * The global size {@code dims} in about {@code perUnit} groups per compute unit (a name of
     * its own: an overload of {@link #of} would take the first of int-typed dimensions for it).
     */
    public static CpuGrid withGroups(DeviceInfo d, int perUnit, long... dims) {
        long[] local = dims.clone();
        long want = (long) perUnit * Math.max(1, d.computeUnits());
        for (int i = dims.length - 1; i >= 0 && want > 1; i--) {
            long splits = Math.min(dims[i], want);
            local[i] = (dims[i] + splits - 1) / splits;
            want = (want + splits - 1) / splits;
        }
        // the device's work-group limit: halve the outer dimensions first
        long max = Math.max(1, d.maxWorkGroupSize());
        for (int i = dims.length - 1; i >= 0; i--) {
            while (product(local) > max && local[i] > 1) local[i] = (local[i] + 1) / 2;
        }
        long[] global = new long[dims.length];
        for (int i = 0; i < dims.length; i++) global[i] = Launch.roundUp(dims[i], local[i]);
        return new CpuGrid(global, local);
    }

    /** {@link #of} on CPU runtimes; elsewhere {@code dims} as they are, with the driver choosing the groups. */
    public static CpuGrid orDriver(DeviceInfo d, long... dims) {
        return orDriverWithGroups(d, GROUPS_PER_UNIT, dims);
    }

    /** {@link #withGroups} on CPU runtimes; elsewhere the driver's choice. */
    public static CpuGrid orDriverWithGroups(DeviceInfo d, int perUnit, long... dims) {
        return d.isCpu() ? withGroups(d, perUnit, dims) : new CpuGrid(dims.clone(), null);
    }

    private static long product(long[] a) {
        long p = 1;
        for (long v : a) p *= v;
        return p;
    }
}
