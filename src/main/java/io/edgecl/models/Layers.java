package io.edgecl.models;

import io.edgecl.graph.ActivationOp;
import io.edgecl.graph.AvgPoolOp;
import io.edgecl.graph.Block;
import io.edgecl.graph.ChannelGateOp;
import io.edgecl.graph.ConvOp;
import io.edgecl.graph.DwConvOp;
import io.edgecl.graph.GemmOp;
import io.edgecl.graph.Graph;
import io.edgecl.graph.LayerNormOp;
import io.edgecl.graph.OpSpec;
import io.edgecl.graph.Pool2dOp;
import io.edgecl.graph.ScaleAddOp;
import io.edgecl.graph.Value;
import io.edgecl.ops.Act;
import io.edgecl.tensor.HostTensor;

/** Building pieces several families share, so each lowers the same way and fuses by the same rules. */
final class Layers {
    private Layers() {}

    static LayerNormOp layerNorm(Weights w, String prefix, int c, float eps) {
        return new LayerNormOp(w.get(prefix + ".weight", c), w.get(prefix + ".bias", c), eps);
    }

    /** A Linear (or 1x1 conv) over channels: weight [out, in] (or [out, in, 1, 1]) → GEMM [in, out]. */
    static GemmOp linear(Weights w, String prefix, int in, int out, boolean bias, Act act) {
        HostTensor wt = w.get(prefix + ".weight", out, in);
        HostTensor b = bias ? w.get(prefix + ".bias", out) : null;
        return new GemmOp(Relayout.linear(wt), b, act, null, false);
    }

    /**
     * The inverted-bottleneck MLP of ConvNeXt-style blocks on an already normalised input:
     * fc1 → GELU → fc2 → × gamma → + shortcut (keys PREFIX.mlp.fc1/fc2, PREFIX.gamma).
     */
    static Value mlpResidual(Graph g, Weights w, Block b, String prefix, Value y, Value shortcut, int c, int hidden) {
        y = g.add(b, prefix + ".mlp.fc1", linear(w, prefix + ".mlp.fc1", c, hidden, true, Act.NONE), y);
        y = g.add(b, prefix + ".mlp.act", new ActivationOp(Act.GELU), y);
        y = g.add(b, prefix + ".mlp.fc2", linear(w, prefix + ".mlp.fc2", hidden, c, true, Act.NONE), y);
        return g.add(b, prefix + ".gamma", new ScaleAddOp(w.get(prefix + ".gamma", c)), y, shortcut);
    }

    /**
     * Squeeze-excite: x × gate(expand(act(reduce(mean of x over pixels)))), the reduce and expand
     * convs being 1x1 with biases under {@code prefix}.{@code reduce} / .{@code expand}; the pool
     * node is {@code prefix}.{@code pool}, the gate node {@code prefix}. The se-excite and se-gate
     * fusion rules match this sequence.
     */
    static Value squeezeExcite(
            Graph g,
            Weights w,
            Block b,
            String prefix,
            String pool,
            String reduce,
            String expand,
            Value x,
            int rd,
            Act act,
            Act gate) {
        int c = x.c();
        Value s = g.add(b, prefix + "." + pool, new AvgPoolOp(), x);
        s = g.add(b, prefix + "." + reduce, linear(w, prefix + "." + reduce, c, rd, true, act), s);
        s = g.add(b, prefix + "." + expand, linear(w, prefix + "." + expand, rd, c, true, gate), s);
        return g.add(b, prefix, new ChannelGateOp(), x, s);
    }

    /**
     * timm's anti-aliased downsampling by {@code stride} after a conv run at stride 1: a 2×2-style
     * average pool (kernel = stride, no padding), or ("blurpc") a 3×3 binomial blur
     * [1 2 1]ᵀ[1 2 1] / 16 per channel with zero padding 1.
     */
    static OpSpec antiAlias(boolean blur, int channels, int stride) {
        if (!blur) return new Pool2dOp(stride, stride, 0, false, true);
        float[] f = {1, 2, 1};
        float[] wt = new float[channels * 9];
        for (int c = 0; c < channels; c++)
            for (int i = 0; i < 3; i++) for (int j = 0; j < 3; j++) wt[c * 9 + i * 3 + j] = f[i] * f[j] / 16f;
        HostTensor t = new HostTensor(new int[] {channels, 1, 3, 3}, wt);
        return new DwConvOp(Relayout.depthwise(t), null, 3, 3, stride, 1, 1, 1, 1, 1, Act.NONE, 1);
    }

    /** timm's symmetric padding for a conv of kernel k, stride s (dilation 1). */
    static int pad(int k, int s) {
        return ((s - 1) + (k - 1)) / 2;
    }

    /**
     * A bias-free conv (key {@code conv}.weight) with the BatchNorm after it ({@code bn}) folded in,
     * then its activation as a node of its own (fusion merges it). {@code py}/{@code px}: padding
     * before and after along each axis; {@code depthwise}: one filter per channel; a 1x1 stride-1
     * conv runs as a GEMM. The conv node is named {@code conv}, the activation {@code bn}.act.
     */
    static Value convBn(
            Graph g,
            Weights w,
            Block b,
            String conv,
            String bn,
            Value x,
            int out,
            int k,
            int stride,
            int dilation,
            int[] py,
            int[] px,
            boolean depthwise,
            Act a,
            double eps) {
        return convBn(g, w, b, conv, bn, x, out, k, stride, dilation, py, px, depthwise, a, eps, null);
    }

    /**
     * As above, the normalised output then scaled per channel by {@code scale} (a layer scale
     * before any activation; null: none), folded into the conv with the BatchNorm.
     */
    static Value convBn(
            Graph g,
            Weights w,
            Block b,
            String conv,
            String bn,
            Value x,
            int out,
            int k,
            int stride,
            int dilation,
            int[] py,
            int[] px,
            boolean depthwise,
            Act a,
            double eps,
            HostTensor scale) {
        HostTensor wt = w.get(conv + ".weight", out, depthwise ? 1 : x.c(), k, k);
        HostTensor gamma = w.get(bn + ".weight", out), beta = w.get(bn + ".bias", out);
        if (scale != null) {
            // s·(γ·x̂ + β) is a BatchNorm with γ·s and β·s
            gamma = Relayout.scaleRows(gamma, scale);
            beta = Relayout.scaleRows(beta, scale);
        }
        HostTensor mean = w.buffer(bn + ".running_mean", out), var = w.buffer(bn + ".running_var", out);
        Relayout.Folded f = Relayout.foldBatchNorm(wt, null, gamma, beta, mean, var, eps);
        OpSpec op;
        if (depthwise) {
            op = new DwConvOp(
                    Relayout.depthwise(f.weight()),
                    f.bias(),
                    k,
                    k,
                    stride,
                    py[0],
                    px[0],
                    py[1],
                    px[1],
                    1,
                    Act.NONE,
                    dilation);
        } else if (k == 1 && stride == 1) {
            op = new GemmOp(Relayout.linear(f.weight()), f.bias(), Act.NONE, null, false);
        } else {
            op = new ConvOp(
                    Relayout.conv(f.weight()), f.bias(), k, k, stride, py[0], px[0], py[1], px[1], Act.NONE, dilation);
        }
        Value y = g.add(b, conv, op, x);
        if (a != Act.NONE) y = g.add(b, bn + ".act", new ActivationOp(a), y);
        return y;
    }

    /**
     * ml-cvnets' ConvLayer2d with BatchNorm (keys {@code block}.conv.weight, {@code block}.norm.*,
     * eps 1e-5): padding (k - 1) / 2 · dilation on every side, then its activation.
     */
    static Value cvnetsConvNorm(
            Graph g,
            Weights w,
            Block b,
            String block,
            Value x,
            int out,
            int k,
            int stride,
            int dilation,
            boolean depthwise,
            Act a) {
        int p = (k - 1) / 2 * dilation;
        int[] pad = {p, p};
        return convBn(
                g, w, b, block + ".conv", block + ".norm", x, out, k, stride, dilation, pad, pad, depthwise, a, 1e-5);
    }
}
