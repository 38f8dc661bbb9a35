package io.edgecl.cl;

/**
 * One kernel object with its arguments. Arguments are set once when a forward pass is planned
 * and left alone afterwards, so a launch is a single enqueue.
 */
public final class ClKernel implements AutoCloseable {
    private final ClContext ctx;
    private final String name;
    private Object handle;

    ClKernel(ClContext ctx, String name, Object handle) {
        this.ctx = ctx;
        this.name = name;
        this.handle = handle;
    }

    public String name() {
        return name;
    }

    public ClKernel arg(int index, ClBuffer buffer) {
        ctx.cl().setArgBuffer(handle, index, buffer.handle());
        return this;
    }

    public ClKernel arg(int index, int value) {
        ctx.cl().setArgInt(handle, index, value);
        return this;
    }

    public ClKernel arg(int index, float value) {
        ctx.cl().setArgFloat(handle, index, value);
        return this;
    }

    public ClKernel local(int index, long bytes) {
        ctx.cl().setArgLocal(handle, index, bytes);
        return this;
    }

    /** Enqueues without an event (the fast path). */
    public void launch(long[] global, long[] local) {
        ctx.cl().enqueue(ctx.queue(), handle, global, local, false);
    }

    /** Enqueues and returns the profiling event; the caller closes it. */
    public ClEvent launchTimed(long[] global, long[] local) {
        return new ClEvent(ctx.cl(), ctx.cl().enqueue(ctx.queue(), handle, global, local, true));
    }

    @Override
    public void close() {
        if (handle != null) {
            ctx.cl().releaseKernel(handle);
            handle = null;
        }
    }
}
