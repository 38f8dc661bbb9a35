package io.edgecl.models;

import io.edgecl.tensor.HostTensor;

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
        for (int o = 0; o < c; o++) for (int p = 0; p < kh * kw; p++) d[p * c + o] = s[o * kh * kw + p];
        return new HostTensor(new int[] {kh, kw, c}, d);
    }

    /** Linear weight [N, K] (or 1x1 conv [N, K, 1, 1]) → [K, N]. */
    public static HostTensor linear(HostTensor w) {
        int n = w.dim(0), k = w.numel() / n;
        float[] s = w.data(), d = new float[s.length];
        for (int i = 0; i < n; i++) for (int j = 0; j < k; j++) d[j * n + i] = s[i * k + j];
        return new HostTensor(new int[] {k, n}, d);
    }

    /** A conv's weight and bias with an eval-mode BatchNorm that follows it folded in. */
    public record Folded(HostTensor weight, HostTensor bias) {}

    /**
     * Folds BatchNorm (gamma, beta, running mean and var, eps) into the preceding conv or linear:
     * w' = w * gamma / sqrt(var + eps) per output channel (dimension 0 of {@code w}, PyTorch
     * layout), b' = (b - mean) * gamma / sqrt(var + eps) + beta. {@code bias} may be null.
     */
    public static Folded foldBatchNorm(
            HostTensor w,
            HostTensor bias,
            HostTensor gamma,
            HostTensor beta,
            HostTensor mean,
            HostTensor var,
            double eps) {
        int out = w.dim(0);
        int per = w.numel() / out;
        float[] wd = w.data().clone(), bd = new float[out];
        for (int o = 0; o < out; o++) {
            double s = gamma.data()[o] / Math.sqrt(var.data()[o] + eps);
            for (int i = 0; i < per; i++) wd[o * per + i] = (float) (wd[o * per + i] * s);
            double b = bias == null ? 0 : bias.data()[o];
            bd[o] = (float) ((b - mean.data()[o]) * s + beta.data()[o]);
        }
        return new Folded(new HostTensor(w.shape(), wd), new HostTensor(new int[] {out}, bd));
    }

    /** {@code t} with each slice along dimension 0 multiplied by {@code s[i]} (a layer scale folded into a weight). */
    public static HostTensor scaleRows(HostTensor t, HostTensor s) {
        int rows = t.dim(0), per = t.numel() / rows;
        float[] d = t.data().clone();
        for (int r = 0; r < rows; r++) for (int i = 0; i < per; i++) d[r * per + i] *= s.data()[r];
        return new HostTensor(t.shape(), d);
    }

    /** An eval-mode BatchNorm as a per-channel affine: scale = gamma / sqrt(var + eps), shift = beta - mean * scale. */
    public static Folded batchNormAffine(
            HostTensor gamma, HostTensor beta, HostTensor mean, HostTensor var, double eps) {
        int c = gamma.numel();
        float[] sc = new float[c], sh = new float[c];
        for (int i = 0; i < c; i++) {
            double s = gamma.data()[i] / Math.sqrt(var.data()[i] + eps);
            sc[i] = (float) s;
            sh[i] = (float) (beta.data()[i] - mean.data()[i] * s);
        }
        return new Folded(new HostTensor(new int[] {c}, sc), new HostTensor(new int[] {c}, sh));
    }

    /**
     * Folds a per-channel affine (scale, shift) applied to the input of a linear map W [out, in]
     * (or a 1x1 conv) into it: W (s ⊙ x + t) + b = (W diag s) x + (W t + b). Exact for a 1x1 conv
     * or a linear layer, where no zero padding sees the unnormalised input.
     */
    public static Folded foldIntoNext(HostTensor w, HostTensor bias, Folded affine) {
        int out = w.dim(0), in = w.numel() / out;
        float[] s = affine.weight().data(), t = affine.bias().data();
        if (s.length != in)
            throw new IllegalArgumentException("affine over " + s.length + " channels, layer takes " + in);
        float[] wd = w.data(), nw = new float[wd.length], nb = new float[out];
        for (int o = 0; o < out; o++) {
            double acc = bias == null ? 0 : bias.data()[o];
            for (int i = 0; i < in; i++) {
                float v = wd[o * in + i];
                nw[o * in + i] = v * s[i];
                acc += (double) v * t[i];
            }
            nb[o] = (float) acc;
        }
        return new Folded(new HostTensor(w.shape(), nw), new HostTensor(new int[] {out}, nb));
    }
}
