package io.edgecl.graph;

import io.edgecl.ops.Act;
import io.edgecl.ops.ExpandDepthwise;
import io.edgecl.ops.SqueezeExcite;
import io.edgecl.tensor.HostTensor;
import java.util.List;
import java.util.Set;

/**
 * Rewrites each block into fewer launches with the rules of {@link FusionRule}. A rule fires only
 * when the intermediate value has a single consumer and is not a graph output (features,
 * logits), so fusing never changes what a caller can observe.
 */
public final class FusionScheduler {
    /**
     * With assertions on (as in the tests), {@link GraphValidator} checks the graph before the
     * rules and after each one in each block, so a rewrite that breaks the graph fails where it does.
     */
    private static final boolean VALIDATE = FusionScheduler.class.desiredAssertionStatus();

    private FusionScheduler() {}

    /** Applies every rule not in {@code disabled}, in {@link FusionRule} order; returns the number of nodes removed. */
    public static int apply(Graph g, Set<FusionRule> disabled) {
        return apply(g, disabled, VALIDATE);
    }

    /** {@link #apply(Graph, Set)}, validating the graph before and after each rule in each block when {@code validate}. */
    static int apply(Graph g, Set<FusionRule> disabled, boolean validate) {
        if (validate) validate(g, "before fusion");
        int removed = 0;
        for (Block b : g.blocks()) {
            for (FusionRule r : FusionRule.values()) {
                if (disabled.contains(r)) continue;
                removed += r.rewrite.apply(g, b);
                if (validate) validate(g, "after rule " + r + " in block " + b.name);
            }
        }
        return removed;
    }

    private static void validate(Graph g, String when) {
        List<String> problems = GraphValidator.problems(g);
        if (!problems.isEmpty()) throw new IllegalStateException(when + ": " + String.join("; ", problems));
    }

    /**
     * The legality check every rule shares: {@code a}'s output feeds exactly one node, in the same
     * block, and is not a graph output. Returns that node, or null.
     */
    static Node soleConsumer(Graph g, Block b, Node a) {
        Value v = a.output;
        if (v.consumers.size() != 1 || g.isOutput(v)) return null;
        Node c = v.consumers.get(0);
        return c.block == b ? c : null;
    }

    /** A rule over a node and its sole consumer: true when it fused them (one of the two left the block). */
    private interface PairRule {
        boolean fuse(Node a, Node c);
    }

    /** Runs {@code rule} over every node of the block that has a sole consumer; returns how many pairs fused. */
    private static int pairs(Graph g, Block b, PairRule rule) {
        int removed = 0;
        for (int i = 0; i < b.nodes.size(); i++) {
            Node a = b.nodes.get(i);
            Node c = soleConsumer(g, b, a);
            if (c == null || !rule.fuse(a, c)) continue;
            removed++;
            if (i >= b.nodes.size() || b.nodes.get(i) != a) i--; // a itself left: revisit this index
        }
        return removed;
    }

    static int gemmAct(Graph g, Block b) {
        return pairs(g, b, (a, c) -> {
            if (!(a.op instanceof GemmOp gm)
                    || gm.act() != Act.NONE
                    || gm.gamma() != null
                    || gm.residual()
                    || !(c.op instanceof ActivationOp act)) {
                return false;
            }
            a.op = new GemmOp(gm.weight(), gm.bias(), act.act(), null, false, gm.gated());
            absorb(b, a, c, FusionRule.GEMM_ACT);
            return true;
        });
    }

    static int gemmScaleResidual(Graph g, Block b) {
        return pairs(g, b, (a, c) -> {
            if (!(a.op instanceof GemmOp gm) || gm.gamma() != null || gm.residual()) return false;
            HostTensor scale;
            Value r;
            if (c.op instanceof ScaleAddOp sa && c.inputs.get(0) == a.output) {
                scale = sa.scale();
                r = c.inputs.size() > 1 ? c.inputs.get(1) : null;
            } else if (c.op instanceof AddOp add && add.act() == Act.NONE && c.inputs.get(0) != c.inputs.get(1)) {
                scale = null;
                r = c.inputs.get(0) == a.output ? c.inputs.get(1) : c.inputs.get(0);
            } else {
                return false;
            }
            // the GEMM reads the residual as it runs: one produced later in the block cannot be
            // read there (the sum of two GEMMs fuses into the second)
            if (r != null && !readyAt(b, r, a)) return false;
            boolean residual = r != null;
            a.op = new GemmOp(gm.weight(), gm.bias(), gm.act(), scale, residual, gm.gated());
            if (residual) moveInput(r, c, a);
            absorb(b, a, c, FusionRule.GEMM_SCALE_RESIDUAL);
            return true;
        });
    }

    static int convAct(Graph g, Block b) {
        return pairs(g, b, (a, c) -> {
            if (!(c.op instanceof ActivationOp act)) return false;
            OpSpec fused = null;
            if (a.op instanceof ConvOp cv && cv.act() == Act.NONE) {
                fused = cv.withAct(act.act());
            } else if (a.op instanceof DwConvOp dw && dw.act() == Act.NONE) {
                fused = dw.withAct(act.act());
            } else if (a.op instanceof AffineOp af && af.act() == Act.NONE) {
                fused = new AffineOp(af.scale(), af.shift(), act.act());
            } else if (a.op instanceof AddOp ad && ad.act() == Act.NONE) {
                fused = new AddOp(act.act());
            }
            if (fused == null) return false;
            a.op = fused;
            absorb(b, a, c, FusionRule.CONV_ACT);
            return true;
        });
    }

    /** ChannelGate(x, s) feeding a GEMM: the GEMM reads x scaled by s; the gated tensor is never written. */
    static int seGate(Graph g, Block b) {
        return pairs(g, b, (gate, c) -> {
            if (!(gate.op instanceof ChannelGateOp)
                    || !(c.op instanceof GemmOp gm)
                    || gm.gated()
                    || c.inputs.get(0) != gate.output) {
                return false;
            }
            Value x = gate.inputs.get(0), s = gate.inputs.get(1);
            c.op = new GemmOp(gm.weight(), gm.bias(), gm.act(), gm.gamma(), gm.residual(), true);
            c.inputs.set(0, x);
            c.inputs.add(1, s);
            x.consumers.remove(gate);
            s.consumers.remove(gate);
            x.consumers.add(c);
            s.consumers.add(c);
            gate.output.consumers.clear();
            c.fusedBy.add(FusionRule.SE_GATE);
            b.nodes.remove(gate);
            return true;
        });
    }

    static int expandDw(Graph g, Block b) {
        return pairs(g, b, (a, c) -> {
            if (!(a.op instanceof GemmOp gm)
                    || gm.gated()
                    || gm.gamma() != null
                    || gm.residual()
                    || !(c.op instanceof DwConvOp dw)
                    || !ExpandDwOp.fits(dw)
                    || !ExpandDepthwise.pays(dw.kw(), dw.stride(), c.output.h, c.output.w)) {
                return false;
            }
            a.op = new ExpandDwOp(gm, dw);
            absorb(b, a, c, FusionRule.EXPAND_DW);
            return true;
        });
    }

    /**
     * A depthwise conv and the ungated 1x1 conv that reads it: the fused op takes the conv's
     * place in the block, so a residual of the 1x1 conv must be there by then.
     */
    static int dwGemm(Graph g, Block b) {
        return pairs(g, b, (a, c) -> {
            if (!(a.op instanceof DwConvOp dw)
                    || dw.sePool()
                    || !(c.op instanceof GemmOp gm)
                    || gm.gated()
                    || c.inputs.get(0) != a.output
                    || !DwGemmOp.fits(dw, a.output.c)) {
                return false;
            }
            Value r = gm.residual() ? c.inputs.get(1) : null;
            if (r != null && (r == a.output || !readyAt(b, r, a))) return false;
            a.op = new DwGemmOp(dw, gm);
            if (r != null) moveInput(r, c, a);
            absorb(b, a, c, FusionRule.DW_GEMM);
            return true;
        });
    }

    /**
     * AvgPool → Gemm → Gemm where the second GEMM gives back the pooled tensor's channels and
     * feeds a channel gate (plain or fused into the next GEMM): a squeeze-excite block, not a
     * classifier head (whose pool also feeds two GEMMs).
     */
    static int seExcite(Graph g, Block b) {
        int removed = 0;
        for (int i = 0; i < b.nodes.size(); i++) {
            Node a = b.nodes.get(i);
            if (!(a.op instanceof AvgPoolOp)) continue;
            Node r = soleConsumer(g, b, a);
            if (r == null || !(r.op instanceof GemmOp red) || !plainGemm(red)) continue;
            Node e = soleConsumer(g, b, r);
            if (e == null || !(e.op instanceof GemmOp exp) || !plainGemm(exp)) continue;
            if (e.output.c != a.inputs.get(0).c || e.output.consumers.isEmpty()) continue;
            boolean gates = e.output.consumers.stream()
                    .allMatch(c -> c.op instanceof ChannelGateOp
                            || (c.op instanceof GemmOp gm && gm.gated() && c.inputs.get(1) == e.output));
            if (!gates || !SqueezeExcite.pays(a.inputs.get(0).c, red.weight().dim(1))) continue;
            a.op = new SqueezeExciteOp(red, exp);
            absorb(b, a, r, FusionRule.SE_EXCITE);
            absorb(b, a, e, FusionRule.SE_EXCITE);
            removed += 2;
        }
        return removed;
    }

    /**
     * ExpandDw or a depthwise conv (multiplier 1) whose output the squeeze-excite gate right after
     * it pools: the kernel adds up what it stores, and the gate reads those sums (from the plan's
     * shared scratch, which no op between them could overwrite). Nothing is removed: the output
     * keeps its other reader (the gated GEMM).
     */
    static int sePool(Graph g, Block b) {
        for (int i = 0; i + 1 < b.nodes.size(); i++) {
            Node a = b.nodes.get(i), c = b.nodes.get(i + 1);
            OpSpec marked;
            if (a.op instanceof ExpandDwOp xdw && !xdw.sePool()) marked = xdw.withSePool();
            else if (a.op instanceof DwConvOp dw && !dw.sePool() && dw.mult() == 1) marked = dw.withSePool();
            else continue;
            if (!(c.op instanceof SqueezeExciteOp) || c.inputs.get(0) != a.output) continue;
            a.op = marked;
            a.fusedBy.add(FusionRule.SE_POOL);
        }
        return 0;
    }

    /** A GEMM with a bias and an activation and nothing else (the convs of a squeeze-excite gate). */
    private static boolean plainGemm(GemmOp gm) {
        return !gm.gated() && gm.gamma() == null && !gm.residual() && gm.bias() != null;
    }

    static int dwconvLn(Graph g, Block b) {
        return pairs(g, b, (a, c) -> {
            if (!(a.op instanceof DwConvOp dw)
                    || dw.act() != Act.NONE
                    || dw.dilation() != 1
                    || !(c.op instanceof LayerNormOp ln)) {
                return false;
            }
            a.op = new DwConvLayerNormOp(dw, ln);
            absorb(b, a, c, FusionRule.DWCONV_LN);
            return true;
        });
    }

    static int cascade(Graph g, Block b) {
        int removed = 0;
        for (int i = 0; i < b.nodes.size(); i++) {
            Node a = b.nodes.get(i);
            if (!(a.op instanceof SplitCascadeOp sc)) continue;
            PackedCascadeOp packed = PackedCascadeOp.pack(sc);
            a.op = packed;
            a.fusedBy.add(FusionRule.SDTA_CASCADE);
            Node c = soleConsumer(g, b, a);
            if (c == null || !(c.op instanceof AddConstOp pos)) continue;
            a.op = packed.withPos(pos.constant(), pos.sourceMacsPerImage());
            absorb(b, a, c, FusionRule.SDTA_CASCADE);
            removed++;
        }
        return removed;
    }

    static int attention(Graph g, Block b) {
        for (Node a : b.nodes) {
            if (a.op instanceof ChannelAttentionOp ca && !ca.oneKernel()) {
                a.op = new ChannelAttentionOp(ca.temperature(), ca.heads(), true);
                a.fusedBy.add(FusionRule.ATTENTION);
            }
        }
        return 0;
    }

    /** Whether {@code r} is there when {@code a} runs: made before it in the block, or before the block. */
    private static boolean readyAt(Block b, Value r, Node a) {
        return r.producer == null || b.nodes.indexOf(r.producer) <= b.nodes.indexOf(a);
    }

    /** {@code r}, an input of {@code from} that fusion moves, read by {@code to} instead (its last input). */
    private static void moveInput(Value r, Node from, Node to) {
        r.consumers.remove(from);
        r.consumers.add(to);
        to.inputs.add(r);
    }

    /** Node {@code a} takes over {@code c}'s output; {@code c} leaves the block. */
    private static void absorb(Block b, Node a, Node c, FusionRule rule) {
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
