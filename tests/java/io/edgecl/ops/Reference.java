package io.edgecl.ops;

/**
 * Plain-Java references for the kernels, written straight from the formulas in the kernel
 * headers (not from the kernels' loop structure), accumulating in double over NHWC layouts.
 * Where a kernel writes a slice of a wider tensor the reference starts from a copy of the
 * destination, so elements the kernel must not touch are checked too.
 */
final class Reference {
    private Reference() {}

    /** C[m, n] = act(sum_k A[m, k] B[k, n] + bias[n]) * gamma[n] + R[m, n], C and R with row stride ldc. */
    static float[] gemm(float[] a, float[] b, float[] bias, float[] gamma, float[] res, float[] cInit, int m, int n,
                        int k, int lda, int ldc, Act act) {
        float[] c = cInit.clone();
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int q = 0; q < k; q++) s += (double) a[i * lda + q] * b[q * n + j];
                if (bias != null) s += bias[j];
                s = act.apply(s);
                if (gamma != null) s *= gamma[j];
                if (res != null) s += res[i * ldc + j];
                c[i * ldc + j] = (float) s;
            }
        }
        return c;
    }

    /** Dense convolution, NHWC input, weights [KH, KW, Cin, Cout]. */
    static float[] conv2d(float[] in, float[] w, float[] bias, int n, int h, int wd, int cin, int cout, int kh, int kw,
                          int stride, int padH, int padW, Act act) {
        int ho = (h + 2 * padH - kh) / stride + 1, wo = (wd + 2 * padW - kw) / stride + 1;
        float[] out = new float[n * ho * wo * cout];
        for (int b = 0; b < n; b++) {
            for (int y = 0; y < ho; y++) {
                for (int x = 0; x < wo; x++) {
                    for (int co = 0; co < cout; co++) {
                        double s = bias != null ? bias[co] : 0;
                        for (int dy = 0; dy < kh; dy++) {
                            for (int dx = 0; dx < kw; dx++) {
                                int yi = y * stride - padH + dy, xi = x * stride - padW + dx;
                                if (yi < 0 || yi >= h || xi < 0 || xi >= wd) continue;
                                for (int ci = 0; ci < cin; ci++) {
                                    s += (double) in[((b * h + yi) * wd + xi) * cin + ci]
                                            * w[((dy * kw + dx) * cin + ci) * cout + co];
                                }
                            }
                        }
                        out[((b * ho + y) * wo + x) * cout + co] = (float) act.apply(s);
                    }
                }
            }
        }
        return out;
    }

    /** A tensor inside a wider NHWC array: data, channel stride, channel offset. */
    record View(float[] data, int stride, int offset) {
        float at(int pixel, int c) {
            return data[pixel * stride + offset + c];
        }
    }

    /**
     * Depthwise convolution with channel multiplier {@code mult}: output channel co reads input
     * channel co / mult; the addend (if any) is summed into the input before the convolution.
     * Weights [KH, KW, Cout]. Returns a copy of {@code outInit} with the output slice written.
     */
    static float[] dwconv(View in, View add, float[] w, float[] bias, float[] outInit, int outStride, int outOffset,
                          int n, int h, int wd, int cout, int kh, int kw, int stride, int padH, int padW, int mult,
                          Act act) {
        int ho = (h + 2 * padH - kh) / stride + 1, wo = (wd + 2 * padW - kw) / stride + 1;
        float[] out = outInit.clone();
        for (int b = 0; b < n; b++) {
            for (int y = 0; y < ho; y++) {
                for (int x = 0; x < wo; x++) {
                    for (int co = 0; co < cout; co++) {
                        int ci = co / mult;
                        double s = bias != null ? bias[co] : 0;
                        for (int dy = 0; dy < kh; dy++) {
                            for (int dx = 0; dx < kw; dx++) {
                                int yi = y * stride - padH + dy, xi = x * stride - padW + dx;
                                if (yi < 0 || yi >= h || xi < 0 || xi >= wd) continue;
                                int p = (b * h + yi) * wd + xi;
                                double v = in.at(p, ci);
                                if (add != null) v += add.at(p, ci);
                                s += v * w[(dy * kw + dx) * cout + co];
                            }
                        }
                        int po = (b * ho + y) * wo + x;
                        out[po * outStride + outOffset + co] = (float) act.apply(s);
                    }
                }
            }
        }
        return out;
    }

    /** LayerNorm over the last axis with the biased variance. */
    static float[] layerNorm(float[] in, float[] gamma, float[] beta, int rows, int c, double eps) {
        float[] out = new float[rows * c];
        for (int r = 0; r < rows; r++) {
            double mean = 0;
            for (int i = 0; i < c; i++) mean += in[r * c + i];
            mean /= c;
            double var = 0;
            for (int i = 0; i < c; i++) var += (in[r * c + i] - mean) * (in[r * c + i] - mean);
            var /= c;
            double inv = 1 / Math.sqrt(var + eps);
            for (int i = 0; i < c; i++) out[r * c + i] = (float) ((in[r * c + i] - mean) * inv * gamma[i] + beta[i]);
        }
        return out;
    }

    /** EdgeNeXt's XCA from the qkv projection [N, T, 3C] to [N, T, C]: the graph's host reference. */
    static float[] xca(float[] qkv, float[] temperature, int n, int t, int c, int heads) {
        double[] in = new double[qkv.length];
        for (int i = 0; i < in.length; i++) in[i] = qkv[i];
        double[] o = io.edgecl.graph.HostOps.channelAttention(in, n, t, c, heads, temperature);
        float[] out = new float[o.length];
        for (int i = 0; i < o.length; i++) out[i] = (float) o[i];
        return out;
    }

    static float[] addBroadcast(float[] x, float[] y, int period) {
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i++) out[i] = (float) ((double) x[i] + y[i % period]);
        return out;
    }

    static float[] activation(float[] x, Act act) {
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i++) out[i] = (float) act.apply(x[i]);
        return out;
    }

    static float[] scaleAdd(float[] x, float[] scale, float[] residual, int channels) {
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            double v = (double) x[i] * scale[i % channels];
            if (residual != null) v += residual[i];
            out[i] = (float) v;
        }
        return out;
    }

    static float[] channelCopy(float[] in, float[] outInit, int channels, int rows, int inStride, int inOffset,
                               int outStride, int outOffset) {
        float[] out = outInit.clone();
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < channels; c++) out[r * outStride + outOffset + c] = in[r * inStride + inOffset + c];
        }
        return out;
    }

    /** [N, HW, C] → [N, C], mean over the pixels. */
    static float[] globalAvgPool(float[] in, int n, int hw, int c) {
        float[] out = new float[n * c];
        for (int b = 0; b < n; b++) {
            for (int ch = 0; ch < c; ch++) {
                double s = 0;
                for (int p = 0; p < hw; p++) s += in[(b * hw + p) * c + ch];
                out[b * c + ch] = (float) (s / hw);
            }
        }
        return out;
    }
}
