package io.edgecl.graph;

import io.edgecl.tensor.HostTensor;

/** Host-side conversions between the kernels' layouts (NHWC, [KH, KW, Cin, Cout]) and PyTorch's. */
public final class Layouts {
    private Layouts() {}

    public static float[] nhwcToNchw(float[] x, int n, int h, int w, int c) {
        float[] out = new float[x.length];
        int hw = h * w;
        for (int b = 0; b < n; b++) {
            int base = b * c * hw;
            for (int p = 0; p < hw; p++) {
                int src = base + p * c;
                for (int ch = 0; ch < c; ch++) out[base + ch * hw + p] = x[src + ch];
            }
        }
        return out;
    }

    /** Dense conv weight [KH, KW, Cin, Cout] → ONNX/PyTorch [Cout, Cin, KH, KW]. */
    public static HostTensor onnxConv(HostTensor w) {
        int kh = w.dim(0), kw = w.dim(1), ci = w.dim(2), co = w.dim(3);
        float[] s = w.data(), d = new float[s.length];
        for (int o = 0; o < co; o++)
            for (int i = 0; i < ci; i++)
                for (int y = 0; y < kh; y++)
                    for (int x = 0; x < kw; x++)
                        d[((o * ci + i) * kh + y) * kw + x] = s[((y * kw + x) * ci + i) * co + o];
        return new HostTensor(new int[] {co, ci, kh, kw}, d);
    }

    /** Depthwise weight [KH, KW, C] → [C, 1, KH, KW]. */
    public static HostTensor onnxDepthwise(HostTensor w) {
        int kh = w.dim(0), kw = w.dim(1), c = w.dim(2);
        float[] s = w.data(), d = new float[s.length];
        for (int o = 0; o < c; o++) for (int q = 0; q < kh * kw; q++) d[o * kh * kw + q] = s[q * c + o];
        return new HostTensor(new int[] {c, 1, kh, kw}, d);
    }

    /** Linear weight [K, N] → a 1×1 conv [N, K, 1, 1]. */
    public static HostTensor onnxLinearAsConv(HostTensor w) {
        int k = w.dim(0), n = w.dim(1);
        float[] s = w.data(), d = new float[s.length];
        for (int i = 0; i < k; i++) for (int j = 0; j < n; j++) d[j * k + i] = s[i * n + j];
        return new HostTensor(new int[] {n, k, 1, 1}, d);
    }

    /** A per-channel vector as [1, C, 1, 1], broadcasting over NCHW. */
    public static HostTensor onnxChannels(HostTensor v) {
        return new HostTensor(new int[] {1, v.numel(), 1, 1}, v.data());
    }

    /** A constant [H*W, C] as [1, C, H, W]. */
    public static HostTensor onnxHwc(HostTensor t, int h, int w, int c) {
        float[] s = t.data(), d = new float[s.length];
        for (int p = 0; p < h * w; p++) for (int ch = 0; ch < c; ch++) d[ch * h * w + p] = s[p * c + ch];
        return new HostTensor(new int[] {1, c, h, w}, d);
    }

    /** ONNX pads (top, left, bottom, right) giving {@code y}'s size from {@code x} with top/left padding. */
    public static int[] pads(Value x, Value y, int kh, int kw, int s, int top, int left) {
        int bottom = Math.max(0, (y.h - 1) * s + kh - x.h - top);
        int right = Math.max(0, (y.w - 1) * s + kw - x.w - left);
        return new int[] {top, left, bottom, right};
    }
}
