package io.edgecl.graph;

import io.edgecl.cl.ClBuffer;
import io.edgecl.cl.ClContext;
import io.edgecl.tensor.HostTensor;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A model's weights on one device, uploaded once and shared by every plan built from them (one
 * plan per input shape): batch 1 and batch 8 plans of a session hold one copy, not two. Keyed by
 * host tensor identity and, for re-laid-out copies (GEMM panels), by layout name. Thread-safe.
 */
public final class DeviceWeights implements AutoCloseable {
    private final ClContext ctx;
    private final Map<HostTensor, ClBuffer> plain = new IdentityHashMap<>();
    private final Map<HostTensor, Map<String, ClBuffer>> laidOut = new IdentityHashMap<>();
    private long bytes;
    private boolean closed;

    public DeviceWeights(ClContext ctx) {
        this.ctx = ctx;
    }

    public ClContext context() {
        return ctx;
    }

    /** {@code t} on the device in the context's storage precision; null for null. */
    public synchronized ClBuffer get(HostTensor t) {
        if (t == null) return null;
        check();
        ClBuffer b = plain.get(t);
        if (b == null) {
            b = upload(t.data());
            plain.put(t, b);
        }
        return b;
    }

    /** {@code t} in the kernel layout {@code layout}, made by {@code relayout} the first time. */
    public synchronized ClBuffer get(HostTensor t, String layout, Supplier<float[]> relayout) {
        check();
        Map<String, ClBuffer> byLayout = laidOut.computeIfAbsent(t, x -> new LinkedHashMap<>());
        ClBuffer b = byLayout.get(layout);
        if (b == null) {
            b = upload(relayout.get());
            byLayout.put(layout, b);
        }
        return b;
    }

    /** Device bytes of every weight uploaded so far. */
    public synchronized long bytes() {
        return bytes;
    }

    private ClBuffer upload(float[] data) {
        ClBuffer b = ctx.uploadStored(data, "weight");
        bytes += b.bytes();
        return b;
    }

    private void check() {
        if (closed) throw new IllegalStateException("the device weights are closed");
    }

    @Override
    public synchronized void close() {
        closed = true;
        for (ClBuffer b : plain.values()) b.close();
        plain.clear();
        for (Map<String, ClBuffer> m : laidOut.values()) for (ClBuffer b : m.values()) b.close();
        laidOut.clear();
    }
}
