package io.edgecl.ops;

import io.edgecl.cl.ClEvent;
import io.edgecl.cl.ClKernel;

/**
 * One kernel launch of a planned forward pass: the kernel with its arguments already set, its
 * geometry, and what the profiler needs to attribute it (op, block, FLOPs, bytes moved).
 */
public final class Launch implements AutoCloseable {
    private final ClKernel kernel;
    private final long[] global;
    private final long[] local;
    private final String op;
    private final long flops;
    private final long bytes;
    private String block = "";
    private String node = "";

    /** Checks that every kernel argument is bound (a launch is only made from a fully bound kernel). */
    public Launch(ClKernel kernel, long[] global, long[] local, String op, long flops, long bytes) {
        this.kernel = kernel.checkBound();
        kernel.checkWorkGroup(local);
        if (local != null) {
            // OpenCL 1.2 has no non-uniform work-groups: every global size is a multiple of the local one
            for (int d = 0; d < global.length; d++) {
                if (local[d] <= 0 || global[d] % local[d] != 0) {
                    throw new IllegalArgumentException("launch of " + kernel.name() + ": global size " + global[d]
                            + " is not a multiple of the work-group size " + local[d] + " in dimension " + d);
                }
            }
        }
        this.global = global;
        this.local = local;
        this.op = op;
        this.flops = flops;
        this.bytes = bytes;
    }

    public void run() {
        kernel.launch(global, local);
    }

    public ClEvent runTimed() {
        return kernel.launchTimed(global, local);
    }

    public String kernelName() {
        return kernel.name();
    }

    /** The label of the kernel's program: its source files and build defines. */
    public String program() {
        return kernel.program();
    }

    /** The kernel, its build options and the launch geometry: equal for launches that run the same code the same way. */
    public String signature() {
        return kernel.name() + " " + kernel.program() + " " + java.util.Arrays.toString(global) + " "
                + java.util.Arrays.toString(local);
    }

    /** The op family, e.g. "gemm", "dwconv". */
    public String op() {
        return op;
    }

    public long flops() {
        return flops;
    }

    public long bytes() {
        return bytes;
    }

    public String block() {
        return block;
    }

    public String node() {
        return node;
    }

    public Launch at(String block, String node) {
        this.block = block;
        this.node = node;
        return this;
    }

    @Override
    public void close() {
        kernel.close();
    }

    /** Rounds {@code n} up to a multiple of {@code m}. */
    public static long roundUp(long n, long m) {
        return (n + m - 1) / m * m;
    }
}
