package io.edgecl.graph;

import io.edgecl.tensor.HostTensor;
import io.edgecl.ops.Act;
import java.util.List;
import java.util.Set;

/**
 * Rewrites each block into fewer launches with the rules of {@link FusionRule}. A rule fires only
 * when the intermediate value has a single consumer and is not a graph output (features,
 * logits), so fusing never changes what a caller can observe.
 */
public final class FusionScheduler {
    private FusionScheduler() {}

    /** Applies every rule not in {@code disabled}, in {@link FusionRule} order; returns the number of nodes removed. */
    public static int apply(Graph g, Set<FusionRule> disabled) {
        int removed = 0;
        for (Block b : g.blocks()) {
            for (FusionRule r : FusionRule.values()) {
                if (!disabled.contains(r)) removed += r.rewrite.apply(g, b);
            }
        }
        return removed;
    }

    /** The legality check every rule shares: {@code v} feeds one node and is not a graph output. */
    static boolean fusible(Graph g, Value v) {
        return v.consumers.size() == 1 && !g.isOutput(v);
    }

    static int gemmAct(Graph g, Block b) {
        int removed = 0;
        for (int i = 0; i < b.nodes.size(); i++) {
            Node a = b.nodes.get(i);
            if (!(a.op instanceof OpSpec.Gemm gm) || gm.act() != Act.NONE || gm.gamma() != null || gm.residual()) {
                continue;
            }
            if (!fusible(g, a.output)) continue;
            Node c = a.output.consumers.get(0);
            if (c.block != b || !(c.op instanceof OpSpec.Activation act)) continue;
            a.op = new OpSpec.Gemm(gm.weight(), gm.bias(), act.act(), null, false, gm.gated());
            absorb(b, a, c, FusionRule.GEMM_ACT);
            removed++;
        }
        return removed;
    }

    static int gemmScaleResidual(Graph g, Block b) {
        int removed = 0;
        for (int i = 0; i < b.nodes.size(); i++) {
            Node a = b.nodes.get(i);
            if (!(a.op instanceof OpSpec.Gemm gm) || gm.gamma() != null || gm.residual()) continue;
            if (!fusible(g, a.output)) continue;
            Node c = a.output.consumers.get(0);
            if (c.block != b) continue;
            HostTensor scale;
            Value r;
            if (c.op instanceof OpSpec.ScaleAdd sa && c.inputs.get(0) == a.output) {
                scale = sa.scale();
                r = c.inputs.size() > 1 ? c.inputs.get(1) : null;
            } else if (c.op instanceof OpSpec.Add add && add.act() == Act.NONE && c.inputs.get(0) != c.inputs.get(1)) {
                scale = null;
                r = c.inputs.get(0) == a.output ? c.inputs.get(1) : c.inputs.get(0);
            } else {
                continue;
            }
            boolean residual = r != null;
            a.op = new OpSpec.Gemm(gm.weight(), gm.bias(), gm.act(), scale, residual, gm.gated());
            if (residual) {
                r.consumers.remove(c);
                r.consumers.add(a);
                a.inputs.add(r);
            }
            absorb(b, a, c, FusionRule.GEMM_SCALE_RESIDUAL);
            removed++;
        }
        return removed;
    }

    static int convAct(Graph g, Block b) {
        int removed = 0;
        for (int i = 0; i < b.nodes.size(); i++) {
            Node a = b.nodes.get(i);
            if (!fusible(g, a.output)) continue;
            Node c = a.output.consumers.get(0);
            if (c.block != b || !(c.op instanceof OpSpec.Activation act)) continue;
            OpSpec fused = null;
            if (a.op instanceof OpSpec.Conv cv && cv.act() == Act.NONE) {
                fused = new OpSpec.Conv(cv.weight(), cv.bias(), cv.kh(), cv.kw(), cv.stride(), cv.padH(), cv.padW(),
                        act.act());
            } else if (a.op instanceof OpSpec.DwConv dw && dw.act() == Act.NONE) {
                fused = new OpSpec.DwConv(dw.weight(), dw.bias(), dw.kh(), dw.kw(), dw.stride(), dw.padH(), dw.padW(),
                        dw.mult(), act.act());
            } else if (a.op instanceof OpSpec.Affine af && af.act() == Act.NONE) {
                fused = new OpSpec.Affine(af.scale(), af.shift(), act.act());
            } else if (a.op instanceof OpSpec.Add ad && ad.act() == Act.NONE) {
                fused = new OpSpec.Add(act.act());
            }
            if (fused == null) continue;
            a.op = fused;
            absorb(b, a, c, FusionRule.CONV_ACT);
            removed++;
        }
        return removed;
    }

    /** ChannelGate(x, s) feeding a GEMM: the GEMM reads x scaled by s; the gated tensor is never written. */
    static int seGate(Graph g, Block b) {
        int removed = 0;
        for (int i = 0; i < b.nodes.size(); i++) {
            Node gate = b.nodes.get(i);
            if (!(gate.op instanceof OpSpec.ChannelGate) || !fusible(g, gate.output)) continue;
            Node c = gate.output.consumers.get(0);
            if (c.block != b || !(c.op instanceof OpSpec.Gemm gm) || gm.gated() || c.inputs.get(0) != gate.output) continue;
            Value x = gate.inputs.get(0), s = gate.inputs.get(1);
            c.op = new OpSpec.Gemm(gm.weight(), gm.bias(), gm.act(), gm.gamma(), gm.residual(), true);
            c.inputs.set(0, x);
            c.inputs.add(1, s);
            x.consumers.remove(gate);
            s.consumers.remove(gate);
            x.consumers.add(c);
            s.consumers.add(c);
            gate.output.consumers.clear();
            c.fusedBy.add(FusionRule.SE_GATE);
            b.nodes.remove(i);
            i--;
            removed++;
        }
        return removed;
    }

    static int dwconvLn(Graph g, Block b) {
        int removed = 0;
        for (int i = 0; i < b.nodes.size(); i++) {
            Node a = b.nodes.get(i);
            if (!(a.op instanceof OpSpec.DwConv dw) || dw.act() != Act.NONE || !fusible(g, a.output)) continue;
            Node c = a.output.consumers.get(0);
            if (c.block != b || !(c.op instanceof OpSpec.LayerNorm ln)) continue;
            a.op = new OpSpec.DwConvLayerNorm(dw, ln);
            absorb(b, a, c, FusionRule.DWCONV_LN);
            removed++;
        }
        return removed;
    }

    static int cascade(Graph g, Block b) {
        int removed = 0;
        for (int i = 0; i < b.nodes.size(); i++) {
            Node a = b.nodes.get(i);
            if (!(a.op instanceof OpSpec.SplitCascade sc) || sc.packed() != null) continue;
            HostTensor packed = concat(sc.weights());
            HostTensor packedBias = sc.biases().get(0) == null ? null : concat(sc.biases());
            a.op = new OpSpec.SplitCascade(sc.width(), sc.weights(), sc.biases(), sc.k(), packed, packedBias, null, 0);
            a.fusedBy.add(FusionRule.SDTA_CASCADE);
            if (!fusible(g, a.output)) continue;
            Node c = a.output.consumers.get(0);
            if (c.block != b || !(c.op instanceof OpSpec.AddConst pos)) continue;
            a.op = new OpSpec.SplitCascade(sc.width(), sc.weights(), sc.biases(), sc.k(), packed, packedBias,
                    pos.constant(), pos.sourceMacsPerImage());
            absorb(b, a, c, FusionRule.SDTA_CASCADE);
            removed++;
        }
        return removed;
    }

    static int attention(Graph g, Block b) {
        for (Node a : b.nodes) {
            if (a.op instanceof OpSpec.ChannelAttention ca && !ca.oneKernel()) {
                a.op = new OpSpec.ChannelAttention(ca.temperature(), ca.heads(), true);
                a.fusedBy.add(FusionRule.ATTENTION);
            }
        }
        return 0;
    }

    private static HostTensor concat(List<HostTensor> parts) {
        int total = 0;
        for (HostTensor t : parts) total += t.numel();
        float[] d = new float[total];
        int off = 0;
        for (HostTensor t : parts) {
            System.arraycopy(t.data(), 0, d, off, t.numel());
            off += t.numel();
        }
        return new HostTensor(new int[] {total}, d);
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
