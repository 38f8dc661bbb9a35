package io.edgecl.graph;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A model as a sequence of blocks, each a small DAG of ops over NHWC values, for one input
 * shape. Models build it; the fusion scheduler rewrites it; a {@link Plan} executes it.
 */
public final class Graph {
    private final List<Block> blocks = new ArrayList<>();
    private final List<Value> values = new ArrayList<>();
    private final Map<String, Value> outputs = new LinkedHashMap<>();
    private Value input;

    public Value input(String name, int n, int h, int w, int c) {
        if (input != null) throw new IllegalStateException("graph already has an input");
        input = newValue(name, n, h, w, c);
        return input;
    }

    public Block block(String name, String kind) {
        Block b = new Block(name, kind);
        blocks.add(b);
        return b;
    }

    /**
     * Appends a node to {@code block}; its output has the shape {@code op} infers from the inputs.
     * Inputs that do not fit the op are a {@link ShapeException} naming the node.
     */
    public Value add(Block block, String name, OpSpec op, Value... inputs) {
        List<Shape> shapes = new ArrayList<>();
        for (Value v : inputs) shapes.add(v.shape());
        Shape s;
        try {
            s = op.outputShape(shapes);
        } catch (ShapeException e) {
            throw new ShapeException("node " + name + " (" + op.kind() + "): " + e.getMessage());
        }
        Node node = new Node(op, name, block);
        for (Value v : inputs) {
            node.inputs.add(v);
            v.consumers.add(node);
        }
        Value out = newValue(name, s.n(), s.h(), s.w(), s.c());
        out.producer = node;
        node.output = out;
        block.nodes.add(node);
        return out;
    }

    /** Marks a value as a graph output (logits, features.i): it is kept and never fused away. */
    public void output(String name, Value v) {
        outputs.put(name, v);
    }

    /**
     * Marks a value [n, h, w, c] as an output read as rows [n, h·w, c] rather than as an NCHW map
     * (a detection head's per-anchor values: [N, anchors, columns]).
     */
    public void outputRows(String name, Value v) {
        outputs.put(name, v);
        rowOutputs.add(name);
    }

    /** Unmarks output {@code name} (a backbone's feature that a head built on it does not output). */
    public void removeOutput(String name) {
        outputs.remove(name);
        rowOutputs.remove(name);
    }

    /** Whether output {@code name} is read as rows [n, h·w, c] ({@link #outputRows}). */
    public boolean isRowOutput(String name) {
        return rowOutputs.contains(name);
    }

    private final java.util.Set<String> rowOutputs = new java.util.HashSet<>();

    private Value newValue(String name, int n, int h, int w, int c) {
        Value v = new Value(values.size(), name, n, h, w, c);
        values.add(v);
        return v;
    }

    public Value input() {
        return input;
    }

    public List<Block> blocks() {
        return blocks;
    }

    public Map<String, Value> outputs() {
        return outputs;
    }

    public boolean isOutput(Value v) {
        return outputs.containsValue(v);
    }

    /** Every node in execution order. */
    public List<Node> nodes() {
        List<Node> all = new ArrayList<>();
        for (Block b : blocks) all.addAll(b.nodes);
        return all;
    }

    public long macs() {
        long m = 0;
        for (Node n : nodes()) m += n.op.macs(n.inputs, n.output);
        return m;
    }

    /** Sum of activation sizes over all values (what a planner without reuse would allocate). */
    public long activationBytes() {
        long b = 0;
        for (Node n : nodes()) b += n.output.bytes();
        return b + input.bytes();
    }
}
