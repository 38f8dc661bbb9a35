package io.edgecl.cl;

/** A built program; kernels are created from it. Owned and released by its {@link ClContext}. */
public final class ClProgram {
    private final ClContext ctx;
    private final String label;
    private final ClHandle.Program handle;
    private final boolean fromCache;
    private final long buildNanos;

    ClProgram(ClContext ctx, String label, ClHandle.Program handle, boolean fromCache, long buildNanos) {
        this.ctx = ctx;
        this.label = label;
        this.handle = handle;
        this.fromCache = fromCache;
        this.buildNanos = buildNanos;
    }

    public ClKernel kernel(String name) {
        ctx.checkOpen();
        return new ClKernel(ctx, name, label, ctx.cl().createKernel(handle, name));
    }

    public String label() {
        return label;
    }

    /** True when the binary came from the on-disk cache rather than a compile. */
    public boolean fromCache() {
        return fromCache;
    }

    public long buildNanos() {
        return buildNanos;
    }

    ClHandle.Program handle() {
        return handle;
    }
}
