package io.edgecl.cl;

/** A profiling event of one launch: device start/end timestamps in nanoseconds. */
public final class ClEvent implements AutoCloseable {
    private final ClBinding cl;
    private ClHandle.Event handle;

    ClEvent(ClBinding cl, ClHandle.Event handle) {
        this.cl = cl;
        this.handle = handle;
    }

    public void waitFor() {
        cl.waitFor(handle);
    }

    /**
     * When the host enqueued the command, on the clock of {@link #startNs}; 0 where the driver
     * does not say.
     */
    public long queuedNs() {
        return cl.eventProfiling(handle, ClConst.PROFILING_COMMAND_QUEUED);
    }

    public long startNs() {
        return cl.eventProfiling(handle, ClConst.PROFILING_COMMAND_START);
    }

    public long endNs() {
        return cl.eventProfiling(handle, ClConst.PROFILING_COMMAND_END);
    }

    @Override
    public void close() {
        if (handle != null) {
            cl.releaseEvent(handle);
            handle = null;
        }
    }
}
