package io.edgecl.graph;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Assigns activations to a small set of shared buffers by lifetime: a value's buffer returns to
 * the pool after its last consumer, and graph outputs live to the end. Slots grow to the largest
 * value they hold, so the device holds a few activations at a time rather than all of them.
 * The input keeps a buffer of its own, exactly its size: the host writes it every forward, and a
 * host write that covers only part of a larger shared slot leaves the rest of that slot in an
 * unknown state for tools that track initialisation (Oclgrind marks it uninitialised).
 */
public final class MemoryPlanner {
    /** slot[v.id] for every value; slotBytes[s] the size of slot s. */
    public record Assignment(Map<Value, Integer> slotOf, List<Long> slotBytes) {
        public long totalBytes() {
            long t = 0;
            for (long b : slotBytes) t += b;
            return t;
        }
    }

    private MemoryPlanner() {}

    /**
     * A graph's device memory without a device: each distinct weight tensor once, the planned
     * activation slots and every op's scratch, as the kernels GPUs and other non-CPU devices run
     * take them. CPU runtimes hold a few percent more: GEMM weights padded into panels, and the
     * packed attention's key/value scratch.
     */
    public record Estimate(long weightBytes, long activationBytes, long allActivationsBytes) {
        public long peakBytes() {
            return weightBytes + activationBytes;
        }
    }

    public static Estimate estimate(Graph g, int elementBytes) {
        java.util.Set<io.edgecl.tensor.HostTensor> seen =
                java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        long weights = 0, scratch = 0, shared = 0;
        for (Node n : g.nodes()) {
            for (io.edgecl.tensor.HostTensor t : n.op.deviceTensors()) {
                if (t != null && seen.add(t)) weights += (long) t.numel() * elementBytes;
            }
            scratch += n.op.scratchBytes(n.inputs, n.output);
            shared = Math.max(shared, n.op.transientScratchBytes(n.inputs, n.output));
        }
        long inputStaging = 4L * g.input().numel(); // the NCHW float input the plan lays out on the device
        long direct = 0;
        for (Value v : nchwOutputs(g)) direct += 4L * v.numel();
        return new Estimate(
                weights,
                plan(g, elementBytes).totalBytes() + scratch + shared + inputStaging + direct,
                g.activationBytes() / 4 * elementBytes);
    }

    /**
     * The graph outputs that their producer writes as NCHW floats into a buffer of their own
     * ({@link OpSpec#writesNchwOutput}): dense maps that no op reads. They take no slot.
     */
    public static java.util.Set<Value> nchwOutputs(Graph g) {
        java.util.Set<Value> read = new java.util.HashSet<>();
        for (Node n : g.nodes()) read.addAll(n.inputs);
        java.util.Set<Value> out = new java.util.LinkedHashSet<>();
        for (Node n : g.nodes()) {
            Value v = n.output;
            if (n.op.writesNchwOutput() && g.isOutput(v) && !read.contains(v) && !(v.h == 1 && v.w == 1)) {
                boolean rows = false;
                for (Map.Entry<String, Value> e : g.outputs().entrySet())
                    if (e.getValue() == v && g.isRowOutput(e.getKey())) rows = true;
                if (!rows) out.add(v);
            }
        }
        return out;
    }

    /** Slots for every value of {@code g} but its {@link #nchwOutputs}, with {@code elementBytes} per stored value (4 fp32, 2 fp16 storage). */
    public static Assignment plan(Graph g, int elementBytes) {
        List<Node> nodes = g.nodes();
        Map<Value, Integer> lastUse = new HashMap<>();
        for (int i = 0; i < nodes.size(); i++) {
            for (Value v : nodes.get(i).inputs) lastUse.put(v, i);
        }
        for (Value v : g.outputs().values()) lastUse.put(v, Integer.MAX_VALUE);
        // the input is an ordinary value: the host writes its own NCHW staging buffer (counted by
        // estimate and held by the plan), and the forward's first launch lays it out into this slot

        java.util.Set<Value> direct = nchwOutputs(g);
        Map<Value, Integer> slotOf = new HashMap<>();
        List<Long> sizes = new ArrayList<>();
        List<Integer> free = new ArrayList<>();
        assign(g.input(), slotOf, sizes, free, elementBytes);
        for (int i = 0; i < nodes.size(); i++) {
            Node n = nodes.get(i);
            if (!direct.contains(n.output)) assign(n.output, slotOf, sizes, free, elementBytes);
            for (Value v : n.inputs) {
                if (lastUse.getOrDefault(v, -1) == i && slotOf.containsKey(v) && !free.contains(slotOf.get(v))) {
                    free.add(slotOf.get(v));
                }
            }
            // an output nobody reads dies at once (unless it is a graph output)
            if (!lastUse.containsKey(n.output)) free.add(slotOf.get(n.output));
        }
        return new Assignment(slotOf, sizes);
    }

    private static void assign(
            Value v, Map<Value, Integer> slotOf, List<Long> sizes, List<Integer> free, int elementBytes) {
        long need = Math.max(4, v.numel() * elementBytes);
        int best = -1;
        // smallest free slot that fits; else the largest free one, grown
        for (int s : free) {
            if (sizes.get(s) >= need && (best < 0 || sizes.get(s) < sizes.get(best))) best = s;
        }
        if (best < 0) {
            for (int s : free) if (best < 0 || sizes.get(s) > sizes.get(best)) best = s;
        }
        if (best < 0) {
            sizes.add(need);
            best = sizes.size() - 1;
        } else {
            free.remove(Integer.valueOf(best));
            sizes.set(best, Math.max(sizes.get(best), need));
        }
        slotOf.put(v, best);
    }
}
