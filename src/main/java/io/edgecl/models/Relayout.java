package io.edgecl.models;

import io.edgecl.io.HostTensor;

/** Load-time re-layouts from PyTorch's parameter layouts to the kernels'. */
public final class Relayout {
    private Relayout() {}

    /** Conv weight [Cout, Cin, KH, KW] → [KH, KW, Cin, Cout]. */
    public static HostTensor conv(HostTensor w) {
        int co = w.dim(0), ci = w.dim(1), kh = w.dim(2), kw = w.dim(3);
        float[] s = w.data(), d = new float[s.length];
        for (int o = 0; o < co; o++)
            for (int i = 0; i < ci; i++)
                for (int y = 0; y < kh; y++)
                    for (int x = 0; x < kw; x++)
                        d[((y * kw + x) * ci + i) * co + o] = s[((o * ci + i) * kh + y) * kw + x];
        return new HostTensor(new int[] {kh, kw, ci, co}, d);
    }

    /** Depthwise weight [C, 1, KH, KW] → [KH, KW, C]. */
    public static HostTensor depthwise(HostTensor w) {
        int c = w.dim(0), kh = w.dim(2), kw = w.dim(3);
        float[] s = w.data(), d = new float[s.length];
        for (int o = 0; o < c; o++)
            for (int p = 0; p < kh * kw; p++) d[p * c + o] = s[o * kh * kw + p];
        return new HostTensor(new int[] {kh, kw, c}, d);
    }

    /** Linear weight [N, K] (or 1x1 conv [N, K, 1, 1]) → [K, N]. */
    public static HostTensor linear(HostTensor w) {
        int n = w.dim(0), k = (int) (w.numel() / n);
        float[] s = w.data(), d = new float[s.length];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < k; j++) d[j * n + i] = s[i * k + j];
        return new HostTensor(new int[] {k, n}, d);
    }
}
