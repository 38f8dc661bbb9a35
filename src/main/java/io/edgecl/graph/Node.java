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

    /**
     * The op's problem as the tuner stores choices for it: kind, input and output shapes and MACs
     * (which tell e.g. a 3x3 from a 5x5 kernel on the same shapes). Ops of a model that share it
     * share their tuned kernel variant.
     */
    public String tuningShape() {
        StringBuilder b = new StringBuilder(op.kind()).append(':');
        for (Value v : inputs)
            b.append(v.n)
                    .append('x')
                    .append(v.h)
                    .append('x')
                    .append(v.w)
                    .append('x')
                    .append(v.c)
                    .append(',');
        b.append('>')
                .append(output.n)
                .append('x')
                .append(output.h)
                .append('x')
                .append(output.w)
                .append('x')
                .append(output.c);
        return b.append(':').append(op.macs(inputs, output)).toString();
    }

    @Override
    public String toString() {
        return name + ":" + op.kind();
    }
}
