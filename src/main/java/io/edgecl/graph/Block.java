package io.edgecl.graph;

import java.util.ArrayList;
import java.util.List;

/** A named block of the model (e.g. "stages.2.blocks.5", kind "SDTA"): a small DAG of ops in order. */
public final class Block {
    final String name;
    final String kind;
    final List<Node> nodes = new ArrayList<>();

    Block(String name, String kind) {
        this.name = name;
        this.kind = kind;
    }

    public String name() {
        return name;
    }

    public String kind() {
        return kind;
    }

    public List<Node> nodes() {
        return nodes;
    }
}
