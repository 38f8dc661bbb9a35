package io.edgecl.cl;

/** A device buffer. Closing releases it; the owning context counts live buffers to catch leaks. */
public final class ClBuffer implements AutoCloseable {
    private final ClContext ctx;
    private final ClHandle.Buffer handle;
    private final long bytes;
    private final String label;
    private boolean closed;

    ClBuffer(ClContext ctx, ClHandle.Buffer handle, long bytes, String label) {
        this.ctx = ctx;
        this.handle = handle;
        this.bytes = bytes;
        this.label = label;
    }

    public ClHandle.Buffer handle() {
        if (closed) throw new IllegalStateException("buffer '" + label + "' used after close");
        return handle;
    }

    ClHandle.Buffer rawHandle() {
        return handle;
    }

    public long bytes() {
        return bytes;
    }

    public long floats() {
        return bytes / 4;
    }

    public String label() {
        return label;
    }

    public boolean isClosed() {
        return closed;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            ctx.released(this);
        }
    }

    @Override
    public String toString() {
        return "ClBuffer[" + label + ", " + DeviceInfo.human(bytes) + "]";
    }
}
