package io.edgecl.graph;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The invariants a graph keeps through building and every fusion rewrite, checked as a whole:
 * each node sits in its own block once, with inputs and an output; every value a node reads is
 * the graph input or the output of exactly one earlier node; each value's consumer list holds
 * exactly the nodes that read it (a node as often as it reads it); graph outputs are live values;
 * and each node's output has the shape its op infers from its inputs.
 */
public final class GraphValidator {
    private GraphValidator() {}

    /** Throws an {@link IllegalStateException} listing every broken invariant of {@code g}. */
    public static void check(Graph g) {
        List<String> p = problems(g);
        if (!p.isEmpty()) throw new IllegalStateException("invalid graph: " + String.join("; ", p));
    }

    /** Every broken invariant of {@code g}, one line each; empty when it is valid. */
    public static List<String> problems(Graph g) {
        List<String> out = new ArrayList<>();
        Value input = g.input();
        if (input == null) {
            out.add("no input");
            return out;
        }
        if (input.producer != null) out.add("the input " + input + " has a producer (" + input.producer + ")");
        // values live so far in execution order, with the node producing each
        Map<Value, Node> producedBy = new IdentityHashMap<>();
        Set<Node> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        Map<Value, List<Node>> readers = new IdentityHashMap<>();
        Set<Value> live = Collections.newSetFromMap(new IdentityHashMap<>());
        live.add(input);
        readers.put(input, new ArrayList<>());
        for (Block b : g.blocks()) {
            for (Node n : b.nodes) {
                if (!seen.add(n)) {
                    out.add("node " + n + " appears twice");
                    continue;
                }
                if (n.block != b) out.add("node " + n + " is in block " + b.name + " but names block " + n.block.name);
                if (n.inputs.isEmpty()) out.add("node " + n + " has no inputs");
                for (Value v : n.inputs) {
                    if (!live.contains(v)) {
                        out.add("node " + n + " reads " + v + ", which "
                                + (v.producer == null
                                        ? "no node produces"
                                        : "is not produced before it (producer " + v.producer + ")"));
                    } else {
                        readers.get(v).add(n);
                    }
                }
                Value y = n.output;
                if (y == null) {
                    out.add("node " + n + " has no output");
                    continue;
                }
                if (y == input || producedBy.containsKey(y)) {
                    out.add("value " + y + " is produced twice (by " + (y == input ? "the input" : producedBy.get(y))
                            + " and " + n + ")");
                    continue;
                }
                if (y.producer != n) out.add("value " + y + " names " + y.producer + " as its producer, not " + n);
                producedBy.put(y, n);
                live.add(y);
                readers.put(y, new ArrayList<>());
                checkShape(n, out);
            }
        }
        for (Value v : live) {
            List<Node> expected = readers.get(v);
            if (!sameMultiset(v.consumers, expected)) {
                out.add("value " + v + " lists consumers " + v.consumers + ", but " + expected + " read it");
            }
        }
        for (Map.Entry<String, Value> e : g.outputs().entrySet()) {
            if (!live.contains(e.getValue()))
                out.add("output " + e.getKey() + " is " + e.getValue() + ", not a live value");
        }
        return out;
    }

    private static void checkShape(Node n, List<String> out) {
        List<Shape> in = new ArrayList<>();
        for (Value v : n.inputs) in.add(v.shape());
        try {
            Shape s = n.op.outputShape(in);
            if (!s.equals(n.output.shape())) {
                out.add("node " + n + " outputs " + n.output.shape() + ", but its op gives " + s + " for " + in);
            }
        } catch (ShapeException e) {
            out.add("node " + n + ": " + e.getMessage());
        }
    }

    private static boolean sameMultiset(List<Node> a, List<Node> b) {
        if (a.size() != b.size()) return false;
        Map<Node, Integer> count = new IdentityHashMap<>();
        for (Node n : a) count.merge(n, 1, Integer::sum);
        for (Node n : b) {
            Integer c = count.get(n);
            if (c == null || c == 0) return false;
            count.put(n, c - 1);
        }
        return true;
    }
}
