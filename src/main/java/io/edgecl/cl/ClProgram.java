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
        return new ClKernel(ctx, name, ctx.cl().createKernel(handle, name), this);
    }

    /** Kernels not launched yet, before the binary may be stored; null once stored or when not to be. */
    private java.util.Set<String> unlaunched;

    private String cacheKey;

    /** Stores the binary under {@code key} once each of {@code kernels} has been launched. */
    synchronized void storeWhenLaunched(String key, java.util.Collection<String> kernels) {
        cacheKey = key;
        unlaunched = new java.util.HashSet<>(kernels);
    }

    /** A kernel of this program has run (and so, on a driver that compiles at launch, been compiled). */
    void launched(String kernel) {
        String key;
        synchronized (this) {
            if (unlaunched == null || !unlaunched.remove(kernel) || !unlaunched.isEmpty()) return;
            unlaunched = null;
            key = cacheKey;
        }
        ctx.storeBinary(key, handle);
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
