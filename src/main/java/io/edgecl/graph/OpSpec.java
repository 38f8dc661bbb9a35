package io.edgecl.graph;

import io.edgecl.io.HostTensor;
import io.edgecl.ops.Act;
import java.util.List;

/**
 * What a node computes. Weights are host tensors already in the kernels' layout (see each
 * record); the plan uploads them once.
 */
public sealed interface OpSpec {
    String kind();

    /** Multiply-accumulates of the op for the given input/output values (for `models` and the profiler). */
    long macs(List<Value> in, Value out);

    /** Parameter tensors, for counting and upload. */
    List<HostTensor> params();

    /** Dense conv; weight [KH, KW, Cin, Cout]. */
    record Conv(HostTensor weight, HostTensor bias, int kh, int kw, int stride, int padH, int padW, Act act)
            implements OpSpec {
        public String kind() {
            return "conv2d";
        }

        public long macs(List<Value> in, Value out) {
            return out.numel() * kh * kw * in.get(0).c;
        }

        public List<HostTensor> params() {
            return nonNull(weight, bias);
        }
    }

    /** Depthwise conv; weight [KH, KW, Cout]; output channel co reads input channel co / mult. */
    record DwConv(HostTensor weight, HostTensor bias, int kh, int kw, int stride, int padH, int padW, int mult,
                  Act act) implements OpSpec {
        public String kind() {
            return "dwconv";
        }

        public long macs(List<Value> in, Value out) {
            return out.numel() * kh * kw;
        }

        public List<HostTensor> params() {
            return nonNull(weight, bias);
        }
    }

    /** LayerNorm over channels. */
    record LayerNorm(HostTensor gamma, HostTensor beta, float eps) implements OpSpec {
        public String kind() {
            return "layernorm";
        }

        public long macs(List<Value> in, Value out) {
            return 0;
        }

        public List<HostTensor> params() {
            return nonNull(gamma, beta);
        }
    }

    /**
     * Linear over channels: out = act((x [* gate]) · W + bias) [* gamma] [+ residual]; weight [K, N].
     * Inputs: x, then the gate [n, 1, 1, K] when {@code gated} (a squeeze-excite scale applied to
     * x as it is read), then the residual when {@code residual}.
     */
    record Gemm(HostTensor weight, HostTensor bias, Act act, HostTensor gamma, boolean residual, boolean gated)
            implements OpSpec {
        public Gemm(HostTensor weight, HostTensor bias, Act act, HostTensor gamma, boolean residual) {
            this(weight, bias, act, gamma, residual, false);
        }

        public String kind() {
            return "gemm";
        }

        public long macs(List<Value> in, Value out) {
            return (long) out.rows() * out.c * in.get(0).c;
        }

        public List<HostTensor> params() {
            return nonNull(weight, bias, gamma);
        }
    }

    /** Element-wise activation. */
    record Activation(Act act) implements OpSpec {
        public String kind() {
            return "activation";
        }

        public long macs(List<Value> in, Value out) {
            return 0;
        }

        public List<HostTensor> params() {
            return List.of();
        }
    }

    /** out = x * scale[c] (layer scale), plus the second input when present (residual). */
    record ScaleAdd(HostTensor scale) implements OpSpec {
        public String kind() {
            return "scale_add";
        }

        public long macs(List<Value> in, Value out) {
            return 0;
        }

        public List<HostTensor> params() {
            return List.of(scale);
        }
    }

    /**
     * out = x + constant [H*W, C] broadcast over the batch (positional encoding).
     * {@code sourceMacsPerImage}: what computing the constant costs upstream per image (EdgeNeXt
     * projects its Fourier features every forward); counted so MAC figures compare with the papers.
     */
    record AddConst(HostTensor constant, long sourceMacsPerImage) implements OpSpec {
        public String kind() {
            return "add_const";
        }

        public long macs(List<Value> in, Value out) {
            return sourceMacsPerImage * out.n;
        }

        public List<HostTensor> params() {
            // precomputed from weights and the input size: not a parameter
            return List.of();
        }
    }

    /**
     * Res2Net-style cascade over channel chunks of width {@code width}: y_0 = conv_0(x_0),
     * y_i = conv_i(x_i + y_{i-1}), the last chunk passes through; weights [k, k, width] each.
     * Fused form ({@code packed} != null): one launch with weights packed [nconv, k, k, width],
     * biases [nconv, width], and an optional positional encoding {@code pos} [H*W, C] added to
     * the result ({@code posMacsPerImage} as in {@link AddConst}).
     */
    record SplitCascade(int width, List<HostTensor> weights, List<HostTensor> biases, int k, HostTensor packed,
                        HostTensor packedBias, HostTensor pos, long posMacsPerImage) implements OpSpec {
        public SplitCascade(int width, List<HostTensor> weights, List<HostTensor> biases, int k) {
            this(width, weights, biases, k, null, null, null, 0);
        }

        public String kind() {
            return "split_cascade";
        }

        public long macs(List<Value> in, Value out) {
            return (long) out.rows() * width * weights.size() * k * k + posMacsPerImage * out.n;
        }

        public List<HostTensor> params() {
            java.util.ArrayList<HostTensor> p = new java.util.ArrayList<>(weights);
            for (HostTensor b : biases) if (b != null) p.add(b);
            return p;
        }
    }

    /** Depthwise conv and the LayerNorm over channels that follows it, in one launch. */
    record DwConvLayerNorm(DwConv dw, LayerNorm ln) implements OpSpec {
        public String kind() {
            return "dwconv_layernorm";
        }

        public long macs(List<Value> in, Value out) {
            return dw.macs(in, out);
        }

        public List<HostTensor> params() {
            java.util.ArrayList<HostTensor> p = new java.util.ArrayList<>(dw.params());
            p.addAll(ln.params());
            return p;
        }
    }

    /** Cross-covariance attention from the qkv projection [.., 3C] to [.., C]. */
    record ChannelAttention(HostTensor temperature, int heads, boolean oneKernel) implements OpSpec {
        public String kind() {
            return "channel_attention";
        }

        public long macs(List<Value> in, Value out) {
            long d = out.c / heads;
            return 2L * out.n * heads * d * d * out.h * out.w;
        }

        public List<HostTensor> params() {
            return List.of(temperature);
        }
    }

    /** Global average pool to [n, 1, 1, c]. */
    record AvgPool() implements OpSpec {
        public String kind() {
            return "avgpool";
        }

        public long macs(List<Value> in, Value out) {
            return 0;
        }

        public List<HostTensor> params() {
            return List.of();
        }
    }

    private static List<HostTensor> nonNull(HostTensor... ts) {
        java.util.ArrayList<HostTensor> out = new java.util.ArrayList<>();
        for (HostTensor t : ts) if (t != null) out.add(t);
        return out;
    }

    /** out = act(in0 + in1), same shapes (residual connections). */
    record Add(Act act) implements OpSpec {
        public String kind() {
            return "add";
        }

        public long macs(List<Value> in, Value out) {
            return 0;
        }

        public List<HostTensor> params() {
            return List.of();
        }
    }

    /** out = act(x * scale[c] + shift[c]): an eval-mode BatchNorm with no conv to fold into. */
    record Affine(HostTensor scale, HostTensor shift, Act act) implements OpSpec {
        public String kind() {
            return "affine";
        }

        public long macs(List<Value> in, Value out) {
            return 0;
        }

        public List<HostTensor> params() {
            return List.of(scale, shift);
        }
    }

    /** out = x * s[n, c]: inputs x [n, h, w, c] and the gate s [n, 1, 1, c] (already activated). */
    record ChannelGate() implements OpSpec {
        public String kind() {
            return "channel_gate";
        }

        public long macs(List<Value> in, Value out) {
            return 0;
        }

        public List<HostTensor> params() {
            return List.of();
        }
    }

    /** Concatenation of the inputs along channels, in input order (same n, h, w). */
    record Concat() implements OpSpec {
        public String kind() {
            return "concat";
        }

        public long macs(List<Value> in, Value out) {
            return 0;
        }

        public List<HostTensor> params() {
            return List.of();
        }
    }

    /**
     * Multi-head self-attention from a qkv projection [n, h, w, 3C] (channel s*C + head*D + i) to
     * [n, h, w, C]: softmax(q·kᵀ × scale) · v per head. The tokens of an image split into
     * patchH × patchW groups by position (y mod patchH, x mod patchW) and attend only within their
     * group: MobileViT's unfolded patches without moving data. patchH = patchW = 1 is plain
     * attention over all tokens.
     */
    record SelfAttention(int heads, float scale, int patchH, int patchW) implements OpSpec {
        public String kind() {
            return "self_attention";
        }

        public long macs(List<Value> in, Value out) {
            long tokens = (long) out.h * out.w;
            long perGroup = tokens / ((long) patchH * patchW);
            return 2L * out.n * tokens * perGroup * out.c;
        }

        public List<HostTensor> params() {
            return List.of();
        }
    }

    /** k×k pooling with stride and symmetric zero padding; average (count_include_pad as given) or max. */
    record Pool2d(int k, int stride, int pad, boolean max, boolean countIncludePad) implements OpSpec {
        public String kind() {
            return "pool2d";
        }

        public long macs(List<Value> in, Value out) {
            return 0;
        }

        public List<HostTensor> params() {
            return List.of();
        }
    }

    /**
     * Depthwise transposed conv with kernel = stride = s (each input pixel becomes an s×s patch):
     * out[n, y, x, c] = in[n, y/s, x/s, c] * w[y mod s, x mod s, c] + bias[c]; weight [s, s, C].
     */
    record DwConvTranspose(HostTensor weight, HostTensor bias, int stride) implements OpSpec {
        public String kind() {
            return "dwconv_transpose";
        }

        public long macs(List<Value> in, Value out) {
            return out.numel();
        }

        public List<HostTensor> params() {
            return nonNull(weight, bias);
        }
    }
}
