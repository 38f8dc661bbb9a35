package io.edgecl.cl;

/**
 * One kernel object with its arguments. Arguments are set once when a forward pass is planned
 * and left alone afterwards, so a launch is a single enqueue. They are appended in the kernel's
 * parameter order ({@code k.arg(in).arg(out).arg(n)}); {@link #checkBound()} compares the count
 * with the kernel's {@code CL_KERNEL_NUM_ARGS}, so a forgotten or extra argument fails when the
 * plan is built, not as garbage at launch.
 */
public final class ClKernel implements AutoCloseable {
    private final ClContext ctx;
    private final String name;
    /** The program it came from: told when this kernel first runs (its binary is stored then). */
    private final ClProgram owner;

    private long localBytes;
    private boolean launched;
    private ClHandle.Kernel handle;
    private int next;

    ClKernel(ClContext ctx, String name, ClHandle.Kernel handle, ClProgram owner) {
        this.ctx = ctx;
        this.name = name;
        this.handle = handle;
        this.owner = owner;
    }

    public String name() {
        return name;
    }

    /** The label of the program it came from: its source files and build defines. */
    public String program() {
        return owner.label();
    }

    /** Binds the next argument to a buffer. */
    public ClKernel arg(ClBuffer buffer) {
        ctx.cl().setArgBuffer(handle, next++, buffer.handle());
        return this;
    }

    /** Binds the next argument to an int. */
    public ClKernel arg(int value) {
        ctx.cl().setArgInt(handle, next++, value);
        return this;
    }

    /** Binds the next argument to a float. */
    public ClKernel arg(float value) {
        ctx.cl().setArgFloat(handle, next++, value);
        return this;
    }

    /** Binds the next argument to {@code bytes} of local memory. */
    public ClKernel local(long bytes) {
        localBytes += bytes;
        if (localBytes > ctx.info().localMemBytes()) {
            throw new io.edgecl.EdgeClException("kernel " + name + " needs " + DeviceInfo.human(localBytes)
                    + " of local memory at this shape, but " + ctx.info().name() + " has "
                    + DeviceInfo.human(ctx.info().localMemBytes()));
        }
        ctx.cl().setArgLocal(handle, next++, bytes);
        return this;
    }

    /** Arguments bound so far. */
    public int bound() {
        return next;
    }

    /** Throws unless every parameter of the kernel has been bound, exactly once. */
    /**
     * Fails with a message naming the kernel when {@code local} (a launch's work-group) is larger
     * than this compiled kernel allows on the device: drivers lower that limit below the device's
     * for kernels that use many registers, which mobile GPUs do often.
     */
    public void checkWorkGroup(long[] local) {
        if (local == null) return;
        long items = 1;
        for (long l : local) items *= l;
        long max = ctx.cl().kernelWorkGroupSize(handle, ctx.device().device());
        if (max > 0 && items > max) {
            throw new io.edgecl.EdgeClException("kernel " + name + " is launched with work-groups of " + items
                    + " items, but " + ctx.info().name() + " runs it with at most " + max
                    + " (CL_KERNEL_WORK_GROUP_SIZE); try -Dedgecl.device.limits=wg=" + Long.highestOneBit(max));
        }
    }

    public ClKernel checkBound() {
        int expected = ctx.cl().kernelNumArgs(handle);
        if (next != expected) {
            throw new IllegalStateException(
                    "kernel " + name + " takes " + expected + " arguments but " + next + " were bound");
        }
        return this;
    }

    /** Enqueues without an event (the fast path). */
    public void launch(long[] global, long[] local) {
        if (!launched) {
            firstLaunch(global, local);
            return;
        }
        ctx.cl().enqueue(ctx.queue(), handle, global, local, false);
    }

    /** Enqueues and returns the profiling event; the caller closes it. */
    public ClEvent launchTimed(long[] global, long[] local) {
        if (!launched) firstLaunch(null, local);
        return new ClEvent(ctx.cl(), ctx.cl().enqueue(ctx.queue(), handle, global, local, true));
    }

    /**
     * The first launch of this kernel in this work-group shape in the context, timed on its own:
     * drivers that compile kernels when they are first launched (PoCL, per work-group size) spend
     * that compile here, and the context counts it in its {@link ClContext#compileBill() bill}.
     * With {@code global} null nothing is enqueued (the caller launches).
     */
    private void firstLaunch(long[] global, long[] local) {
        launched = true;
        String shape = name + " " + java.util.Arrays.toString(local);
        if (global == null || !ctx.firstLaunchOf(owner.label(), shape)) {
            if (global != null) ctx.cl().enqueue(ctx.queue(), handle, global, local, false);
            owner.launched(name);
            return;
        }
        ctx.finish();
        long t0 = System.nanoTime();
        ctx.cl().enqueue(ctx.queue(), handle, global, local, false);
        ctx.finish();
        ctx.firstLaunched(owner.label(), System.nanoTime() - t0);
        owner.launched(name);
    }

    @Override
    public void close() {
        if (handle != null) {
            ctx.cl().releaseKernel(handle);
            handle = null;
        }
    }
}
