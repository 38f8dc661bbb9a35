package io.edgecl.graph;

import java.util.ArrayList;
import java.util.List;

/** One op of a block: its spec (what it computes, with weights), its inputs and its output. */
public final class Node {
    OpSpec op;
    final String name;
    final Block block;
    final List<Value> inputs = new ArrayList<>();
    Value output;
    /** Fusion rules applied to produce this node (for the profiler and tests). */
    final List<FusionRule> fusedBy = new ArrayList<>();

    Node(OpSpec op, String name, Block block) {
        this.op = op;
        this.name = name;
        this.block = block;
    }

    public OpSpec op() {
        return op;
    }

    public String name() {
        return name;
    }

    public Block block() {
        return block;
    }

    public List<Value> inputs() {
        return inputs;
    }

    public Value output() {
        return output;
    }

    public List<FusionRule> fusedBy() {
        return fusedBy;
    }

    @Override
    public String toString() {
        return name + ":" + op.kind();
    }
}
