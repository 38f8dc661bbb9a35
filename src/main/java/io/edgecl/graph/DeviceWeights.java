package io.edgecl.graph;

import io.edgecl.cl.ClBuffer;
import io.edgecl.cl.ClContext;
import io.edgecl.tensor.HostTensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A model's weights on one device, uploaded once and shared by every plan built from them (one
 * plan per input shape): batch 1 and batch 8 plans of a session hold one copy, not two.
 *
 * <p>Keyed by content (and, for re-laid-out copies such as GEMM panels, by layout name), not by
 * host tensor identity: a model builds its graph again for each input shape, folding and
 * re-laying out weights into new host tensors each time, and identity keys uploaded a copy per
 * shape. Plans {@link #retain} what they use and {@link #release} it when closed; what no plan
 * uses is freed by {@link #freeUnused}, so weights that only one shape needed (a positional
 * encoding of that size) do not outlive its plan. Thread-safe.
 */
public final class DeviceWeights implements AutoCloseable {
    private final ClContext ctx;
    private final Map<Key, List<Entry>> entries = new HashMap<>();
    private final Map<ClBuffer, Entry> byBuffer = new IdentityHashMap<>();
    private long bytes;
    private boolean closed;

    private record Key(String layout, int length, int hash) {}

    private static final class Entry {
        final Key key;
        final float[] source;
        final ClBuffer buffer;
        int refs;

        Entry(Key key, float[] source, ClBuffer buffer) {
            this.key = key;
            this.source = source;
            this.buffer = buffer;
        }
    }

    public DeviceWeights(ClContext ctx) {
        this.ctx = ctx;
    }

    public ClContext context() {
        return ctx;
    }

    /** {@code t} on the device in the context's storage precision; null for null. */
    public synchronized ClBuffer get(HostTensor t) {
        if (t == null) return null;
        return find(t, "", t::data);
    }

    /** {@code t} in the kernel layout {@code layout}, made by {@code relayout} the first time. */
    public synchronized ClBuffer get(HostTensor t, String layout, Supplier<float[]> relayout) {
        return find(t, layout, relayout);
    }

    private ClBuffer find(HostTensor t, String layout, Supplier<float[]> data) {
        check();
        float[] src = t.data();
        Key key = new Key(layout, src.length, Arrays.hashCode(src));
        List<Entry> same = entries.computeIfAbsent(key, k -> new ArrayList<>(1));
        for (Entry e : same) {
            if (e.source == src || Arrays.equals(e.source, src)) return e.buffer;
        }
        ClBuffer b = ctx.uploadStored(data.get(), "weight");
        bytes += b.bytes();
        Entry e = new Entry(key, src, b);
        same.add(e);
        byBuffer.put(b, e);
        return b;
    }

    /** A plan uses {@code b} (once per plan, whatever the number of its launches that read it). */
    public synchronized void retain(ClBuffer b) {
        Entry e = byBuffer.get(b);
        if (e != null) e.refs++;
    }

    /** A closing plan no longer uses {@code b}; it stays until {@link #freeUnused()}. */
    public synchronized void release(ClBuffer b) {
        Entry e = byBuffer.get(b);
        if (e != null && e.refs > 0) e.refs--;
    }

    /** Frees every weight no plan retains; returns the device bytes freed. */
    public synchronized long freeUnused() {
        long freed = 0;
        for (Iterator<Entry> it = byBuffer.values().iterator(); it.hasNext(); ) {
            Entry e = it.next();
            if (e.refs > 0) continue;
            it.remove();
            List<Entry> same = entries.get(e.key);
            same.remove(e);
            if (same.isEmpty()) entries.remove(e.key);
            freed += e.buffer.bytes();
            e.buffer.close();
        }
        bytes -= freed;
        return freed;
    }

    /** Device bytes of every weight held now. */
    public synchronized long bytes() {
        return bytes;
    }

    private void check() {
        if (closed) throw new IllegalStateException("the device weights are closed");
    }

    @Override
    public synchronized void close() {
        closed = true;
        for (Entry e : byBuffer.values()) e.buffer.close();
        byBuffer.clear();
        entries.clear();
        bytes = 0;
    }
}
