package io.edgecl.graph;

import io.edgecl.EdgeClException;
import io.edgecl.ops.Act;
import java.util.Collection;
import java.util.List;
import java.util.Set;

/**
 * Rewrites each block into fewer launches. A rule fires only when the intermediate value has a
 * single consumer and is not a graph output (features, logits), so fusing never changes what a
 * caller can observe. Every rule can be switched off by name.
 */
public final class FusionScheduler {
    /** Folds a following activation into the GEMM's store. */
    public static final String GEMM_ACT = "gemm-act";
    /** Folds layer scale and residual add into the GEMM's store. */
    public static final String GEMM_SCALE_RESIDUAL = "gemm-scale-residual";

    public static final List<String> RULES = List.of(GEMM_ACT, GEMM_SCALE_RESIDUAL);

    private FusionScheduler() {}

    /** Checks rule names given by a user. */
    public static void validate(Collection<String> names) {
        for (String n : names) {
            if (!RULES.contains(n)) {
                throw new EdgeClException("unknown fusion rule '" + n + "' (rules: " + String.join(", ", RULES) + ")");
            }
        }
    }

    /** Applies every rule not in {@code disabled}; returns the number of nodes removed. */
    public static int apply(Graph g, Set<String> disabled) {
        validate(disabled);
        int removed = 0;
        for (Block b : g.blocks()) {
            if (!disabled.contains(GEMM_ACT)) removed += gemmAct(g, b);
            if (!disabled.contains(GEMM_SCALE_RESIDUAL)) removed += gemmScaleResidual(g, b);
        }
        return removed;
    }

    private static boolean fusible(Graph g, Value v) {
        return v.consumers.size() == 1 && !g.isOutput(v);
    }

    private static int gemmAct(Graph g, Block b) {
        int removed = 0;
        for (int i = 0; i < b.nodes.size(); i++) {
            Node a = b.nodes.get(i);
            if (!(a.op instanceof OpSpec.Gemm gm) || gm.act() != Act.NONE || gm.gamma() != null || gm.residual()) {
                continue;
            }
            if (!fusible(g, a.output)) continue;
            Node c = a.output.consumers.get(0);
            if (c.block != b || !(c.op instanceof OpSpec.Activation act)) continue;
            a.op = new OpSpec.Gemm(gm.weight(), gm.bias(), act.act(), null, false);
            absorb(b, a, c, GEMM_ACT);
            removed++;
        }
        return removed;
    }

    private static int gemmScaleResidual(Graph g, Block b) {
        int removed = 0;
        for (int i = 0; i < b.nodes.size(); i++) {
            Node a = b.nodes.get(i);
            if (!(a.op instanceof OpSpec.Gemm gm) || gm.gamma() != null || gm.residual()) continue;
            if (!fusible(g, a.output)) continue;
            Node c = a.output.consumers.get(0);
            if (c.block != b || !(c.op instanceof OpSpec.ScaleAdd sa) || c.inputs.get(0) != a.output) continue;
            boolean residual = c.inputs.size() > 1;
            a.op = new OpSpec.Gemm(gm.weight(), gm.bias(), gm.act(), sa.scale(), residual);
            if (residual) {
                Value r = c.inputs.get(1);
                r.consumers.remove(c);
                r.consumers.add(a);
                a.inputs.add(r);
            }
            absorb(b, a, c, GEMM_SCALE_RESIDUAL);
            removed++;
        }
        return removed;
    }

    /** Node {@code a} takes over {@code c}'s output; {@code c} leaves the block. */
    private static void absorb(Block b, Node a, Node c, String rule) {
        Value mid = a.output;
        mid.consumers.clear();
        a.output = c.output;
        c.output.producer = a;
        for (Value v : c.inputs) {
            if (v != mid) v.consumers.remove(c);
        }
        a.fusedBy.add(rule);
        a.fusedBy.addAll(c.fusedBy);
        b.nodes.remove(c);
    }
}
